import type {
  PaymentAuthorized,
  PaymentCaptured,
  PaymentCaptureFailed,
  PaymentDisputed,
  PaymentFailed,
  PaymentOutcomeUnknown,
  PaymentRefunded,
  PaymentRefundFailed,
  PaymentRequiresAction,
  PaymentVoided,
} from '@txn/contracts';
import type { Patch } from '../../read-models/upsert-view';

export type PaymentEvent =
  | PaymentAuthorized
  | PaymentRequiresAction
  | PaymentFailed
  | PaymentOutcomeUnknown
  | PaymentCaptured
  | PaymentCaptureFailed
  | PaymentVoided
  | PaymentRefunded
  | PaymentRefundFailed
  | PaymentDisputed;

function intent(id: string | null): Patch {
  return id === null ? {} : { psp_payment_intent_id: id };
}

/**
 * What each payment event changes, and what it does to the flag that asks a person to look:
 * an unknown outcome is flagged until any later event resolves it; a failed refund stays flagged
 * until a refund goes through (no money moved, the customer is still owed it); a dispute stays
 * flagged whatever follows (it is answered at the PSP).
 */
export const PAYMENT_PATCHES = {
  PaymentAuthorized: (event: PaymentAuthorized): Patch => ({
    ...intent(event.pspPaymentIntentId),
    currency: event.authorizedAmount.currency,
    amount_minor: event.authorizedAmount.amountMinor,
    authorized_minor: event.authorizedAmount.amountMinor,
    authorization_expires_at: event.authorizationExpiresAt,
  }),
  PaymentRequiresAction: (event: PaymentRequiresAction): Patch => ({ ...intent(event.pspPaymentIntentId), currency: event.amount.currency, amount_minor: event.amount.amountMinor }),
  PaymentFailed: (event: PaymentFailed): Patch => ({ ...intent(event.pspPaymentIntentId), currency: event.amount.currency, amount_minor: event.amount.amountMinor, failure_code: event.failureCode }),
  PaymentOutcomeUnknown: (event: PaymentOutcomeUnknown): Patch => ({
    ...intent(event.pspPaymentIntentId),
    currency: event.amount.currency,
    outcome_unknown_operation: event.operation,
    outcome_resolve_by: event.resolveBy,
  }),
  PaymentCaptured: (event: PaymentCaptured): Patch => ({
    ...intent(event.pspPaymentIntentId),
    currency: event.capturedAmount.currency,
    captured_minor: event.capturedAmount.amountMinor,
    platform_fee_minor: event.platformFee.amountMinor,
  }),
  PaymentCaptureFailed: (event: PaymentCaptureFailed): Patch => ({ ...intent(event.pspPaymentIntentId), currency: event.amount.currency, failure_code: event.failureCode }),
  PaymentVoided: (event: PaymentVoided): Patch => ({ ...intent(event.pspPaymentIntentId), currency: event.voidedAmount.currency }),
  PaymentRefunded: (event: PaymentRefunded): Patch => ({ ...intent(event.pspPaymentIntentId), currency: event.totalRefunded.currency, refunded_minor: event.totalRefunded.amountMinor }),
  PaymentRefundFailed: (event: PaymentRefundFailed): Patch => ({
    ...intent(event.pspPaymentIntentId),
    currency: event.requestedAmount.currency,
    refund_failed_id: event.refundId,
    refund_failed_code: event.failureCode,
    refund_failed_minor: event.requestedAmount.amountMinor,
  }),
  // payment always states the amount (the capture's when the PSP does not say); the row's currency is required.
  PaymentDisputed: (event: PaymentDisputed): Patch => ({ ...intent(event.pspPaymentIntentId), ...(event.disputedAmount === null ? {} : { currency: event.disputedAmount.currency }), psp_dispute_id: event.pspDisputeId }),
} as const;

export type AttentionChange = 'outcome-unknown' | 'refund-failed' | 'refund-succeeded' | 'disputed' | 'moved-on';

export function attentionChange(eventType: PaymentEvent['envelope']['eventType']): AttentionChange {
  if (eventType === 'PaymentOutcomeUnknown') return 'outcome-unknown';
  if (eventType === 'PaymentRefundFailed') return 'refund-failed';
  if (eventType === 'PaymentRefunded') return 'refund-succeeded';
  if (eventType === 'PaymentDisputed') return 'disputed';
  return 'moved-on';
}
