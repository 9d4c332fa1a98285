import type { Money } from '@txn/money';

/**
 * What the payment service asks of a PSP, and what it can answer, independent of Stripe's SDK.
 * Every answer is a value: an exception from an adapter is a bug in the adapter.
 */

/** The PSP's view of our payment intent, normalised (localstripe omits fields Stripe has). */
export interface IntentView {
  readonly id: string;
  /** Stripe's status: requires_payment_method, requires_confirmation, requires_action, processing, requires_capture, canceled, succeeded. */
  readonly status: string;
  readonly amount: Money;
  readonly chargeId: string | null;
  readonly actionType: string | null;
  readonly lastError: { readonly code: string; readonly declineCode: string | null } | null;
  /** When the PSP authorized, by its clock: the charge's `created` (else the intent's); null when it did not say. */
  readonly authorizedAt: Date | null;
  /** When the PSP drops an uncaptured authorization (Stripe: the charge's payment_method_details.card.capture_before); null when it did not say. */
  readonly captureBefore: Date | null;
  /** Our payment id from the intent's metadata (null: not an intent of ours). */
  readonly paymentId: string | null;
}

/** Where to look for an authorization's PaymentIntent when its id is not known: our metadata, and when the PSP may have created it. */
export interface AuthorizationSearch {
  readonly paymentId: string;
  readonly createdFrom: Date;
  readonly createdTo: Date;
}

export interface RefundView {
  readonly id: string;
  /** Stripe's status: pending, requires_action, succeeded, failed, canceled. */
  readonly status: string;
  readonly failureReason: string | null;
}

/** An intent as a list of the account's intents gives it, with what its charge has given back. */
export interface ListedIntent extends IntentView {
  readonly refundedMinor: bigint;
  readonly createdAt: Date;
}

/** Every intent created in a window, the list followed to its end. */
export interface IntentListing {
  readonly intents: readonly ListedIntent[];
  readonly pages: number;
}

/** A refund as the PSP lists it on an intent. */
export interface ListedRefund extends RefundView {
  readonly amount: Money;
  /** Our refund id from its metadata; null for a refund made outside the platform. */
  readonly refundId: string | null;
  readonly createdAt: Date;
}

/** Why a call did not give a usable object (see classifyPspError). */
export type PspFailure =
  /** The card or bank said no (402 / card_error): a business answer. */
  | { readonly kind: 'declined'; readonly code: string; readonly declineCode: string | null; readonly intentId: string | null }
  /** Timeout, reset, 5xx, 409 key in use, 429: the PSP may or may not have acted. Never a failure. */
  | { readonly kind: 'unknown'; readonly cause: string }
  /** 404: the object does not exist at the PSP. */
  | { readonly kind: 'not_found' }
  /** 400 about the object's state (already captured, canceled, refunded): ask the PSP what is true. */
  | { readonly kind: 'state_conflict'; readonly code: string; readonly message: string }
  /** 400 validation, 401, 403, idempotency errors: our request is wrong; a bug, never retried blindly. */
  | { readonly kind: 'invalid_request'; readonly status: number | null; readonly code: string | null; readonly message: string }
  /** A search found two or more PaymentIntents of one payment: a double authorization made earlier; not ours to pick one. */
  | { readonly kind: 'several_intents'; readonly intentIds: readonly string[] };

export type PspAnswer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: PspFailure };

export interface AuthorizeRequest {
  readonly paymentId: string;
  readonly bookingId: string;
  readonly tenantId: string;
  readonly amount: Money;
  readonly paymentMethod: string;
  readonly idempotencyKey: string;
}

export interface PaymentServiceProvider {
  /** Creates and confirms a manual-capture PaymentIntent in one request (one key, one intent). */
  authorize(request: AuthorizeRequest): Promise<PspAnswer<IntentView>>;
  capture(intentId: string, amount: Money, idempotencyKey: string): Promise<PspAnswer<IntentView>>;
  cancel(intentId: string, idempotencyKey: string): Promise<PspAnswer<IntentView>>;
  retrieve(intentId: string): Promise<PspAnswer<IntentView>>;
  /**
   * The PaymentIntent whose metadata.payment_id is ours among those created in the window, asked in
   * a way that can never create anything (a list, not a replayed create); not_found when there is
   * none. Several (a double authorization): several_intents; more than the bounded pages hold: unknown.
   */
  findAuthorization(search: AuthorizationSearch): Promise<PspAnswer<IntentView>>;
  refund(intentId: string, amount: Money, refundId: string, idempotencyKey: string): Promise<PspAnswer<RefundView>>;
  /**
   * Every intent of the account created in the window, page by page to the list's end; more than
   * `maxPages` pages is a failure (`unknown`), never a partial answer.
   */
  listIntents(createdFrom: Date, createdTo: Date, maxPages: number): Promise<PspAnswer<IntentListing>>;
  /** Every refund of the intent (a payment has at most 20 of ours; more than a page holds is unknown). */
  listRefunds(intentId: string): Promise<PspAnswer<readonly ListedRefund[]>>;
  /** Our refund (metadata.refund_id) among the intent's refunds; not_found when absent. */
  findRefund(intentId: string, refundId: string): Promise<PspAnswer<RefundView>>;
}
