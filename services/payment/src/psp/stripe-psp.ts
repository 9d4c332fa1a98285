import Stripe from 'stripe';
import { money, type Money } from '@txn/money';
import { classifyPspError } from './classify';
import type { AuthorizeRequest, IntentView, PaymentServiceProvider, PspAnswer, RefundView } from '../application/psp-port';
import type { PspSettings } from '../settings';

/**
 * The API version this adapter was written and tested against (stripe-node 23.1.0's own). Pinned
 * so a Stripe account upgrade does not change the shapes we read.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';
/** A payment has at most 20 refunds (payment-domain); one page holds them all. */
const REFUND_PAGE_SIZE = 100;
/** Stripe amounts are integers well below this; anything larger is a bug upstream. */
const MAX_STRIPE_AMOUNT_MINOR = 99_999_999n;

/** The parameters docs/psp-sandbox.md lists as accepted by localstripe (and Stripe): nothing else is sent. */
export function authorizeParams(request: AuthorizeRequest): Stripe.PaymentIntentCreateParams {
  return {
    amount: toStripeAmount(request.amount),
    currency: request.amount.currency.toLowerCase(),
    payment_method: request.paymentMethod,
    capture_method: 'manual',
    confirm: true,
    metadata: { payment_id: request.paymentId, booking_id: request.bookingId, tenant_id: request.tenantId },
  };
}

function toStripeAmount(amount: Money): number {
  if (amount.amountMinor <= 0n || amount.amountMinor > MAX_STRIPE_AMOUNT_MINOR) throw new RangeError(`amount ${amount.amountMinor} is outside 1..${MAX_STRIPE_AMOUNT_MINOR}`);
  return Number(amount.amountMinor);
}

/** `latest_charge` is an id at Stripe and an expanded object at localstripe: accept both. */
function chargeIdOf(charge: string | Stripe.Charge | null | undefined): string | null {
  if (charge === null || charge === undefined) return null;
  return typeof charge === 'string' ? charge : charge.id;
}

export function toIntentView(intent: Stripe.PaymentIntent): IntentView {
  const lastError = intent.last_payment_error;
  return {
    id: intent.id,
    status: intent.status,
    amount: money(BigInt(intent.amount), intent.currency.toUpperCase()),
    chargeId: chargeIdOf(intent.latest_charge),
    actionType: intent.next_action?.type ?? null,
    lastError: lastError === null || lastError === undefined ? null : { code: lastError.code ?? 'card_declined', declineCode: lastError.decline_code ?? null },
  };
}

function toRefundView(refund: Stripe.Refund): RefundView {
  return { id: refund.id, status: refund.status ?? 'pending', failureReason: refund.failure_reason ?? null };
}

async function answer<T, V>(call: Promise<T>, view: (value: T) => V): Promise<PspAnswer<V>> {
  try {
    return { ok: true, value: view(await call) };
  } catch (error) {
    return { ok: false, failure: classifyPspError(error) };
  }
}

/**
 * The PSP port over the official SDK, configured explicitly: our own retries only (the SDK's are
 * off, so every retry goes through the work list with the payment's derived key), a bounded
 * timeout, the pinned API version, no telemetry headers to a sandbox. Host, port and protocol
 * come from PSP_API_URL: Stripe itself, or the fault proxy in front of the sandbox.
 */
export function createStripePsp(settings: PspSettings): PaymentServiceProvider {
  const url = new URL(settings.apiUrl);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const stripe = new Stripe(settings.apiKey, {
    apiVersion: STRIPE_API_VERSION,
    host: url.hostname,
    port: url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port),
    protocol,
    // Retries are ours: the same key, after commit, recorded. (The SDK still retries a connection
    // reset once on its own, with the same key; harmless.)
    maxNetworkRetries: 0,
    timeout: settings.timeout_ms,
    telemetry: false,
  });

  return {
    authorize: (request) => answer(stripe.paymentIntents.create(authorizeParams(request), { idempotencyKey: request.idempotencyKey }), toIntentView),
    capture: (intentId, amount, key) => answer(stripe.paymentIntents.capture(intentId, { amount_to_capture: toStripeAmount(amount) }, { idempotencyKey: key }), toIntentView),
    cancel: (intentId, key) => answer(stripe.paymentIntents.cancel(intentId, {}, { idempotencyKey: key }), toIntentView),
    retrieve: (intentId) => answer(stripe.paymentIntents.retrieve(intentId), toIntentView),
    refund: (intentId, amount, refundId, key) =>
      answer(stripe.refunds.create({ payment_intent: intentId, amount: toStripeAmount(amount), metadata: { refund_id: refundId } }, { idempotencyKey: key }), toRefundView),
    findRefund: async (intentId, refundId) => {
      const page = await answer(stripe.refunds.list({ payment_intent: intentId, limit: REFUND_PAGE_SIZE }), (list) => list.data);
      if (!page.ok) return page;
      const found = page.value.find((refund) => refund.metadata?.refund_id === refundId);
      return found === undefined ? { ok: false, failure: { kind: 'not_found' } } : { ok: true, value: toRefundView(found) };
    },
  };
}
