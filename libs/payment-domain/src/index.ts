export { MAX_IDEMPOTENCY_KEY_LENGTH, pspIdempotencyKey } from './idempotency-key';
export { MAX_OUTCOME_QUERY_ATTEMPTS, OUTCOME_QUERY_DELAYS_MS, outcomeQueryDelay_ms, outcomeResolveBy } from './query-schedule';
export {
  AUTHORIZATION_CREATE_WINDOW_MS,
  authorizationExpiry,
  authorizationSearchWindow,
  DEFAULT_CARD_AUTHORIZATION_VALIDITY_MS,
  mayCreateAuthorization,
  PSP_CLOCK_MARGIN_MS,
} from './authorization-window';
export {
  checkCallRetryPolicy,
  DEFAULT_CALL_RETRY_POLICY,
  MAX_CALL_ATTEMPTS_LIMIT,
  nextAttemptAfter,
  type CallFailure,
  type CallRetryPolicy,
  type NextAttempt,
} from './call-retries';
export {
  awaitedOperation,
  isTerminalPayment,
  MAX_REFUNDS_PER_PAYMENT,
  needsAttention,
  pendingPspCalls,
  refundableMinor,
  refundedMinor,
  TERMINAL_PAYMENT_STATUSES,
  type BookingRelease,
  type InFlightCall,
  type LifecycleOperation,
  type OutcomeQuery,
  type Payment,
  type PaymentDecision,
  type PaymentEvent,
  type PaymentStatus,
  type PspCall,
  type PspOperation,
  type PspSync,
  type Dispute,
  type Refund,
  type RefundStatus,
  type UnknownOutcome,
} from './payment';
export { PAYMENT_TRANSITIONS } from './transition';
export { createPayment, recordAuthorizationResult, type AnswerSource, type AuthorizationResult, type NewPayment } from './authorization';
export { recordCaptureResult, recordVoidResult, requestCapture, requestVoid, type CaptureResult, type VoidResult } from './capture-and-void';
export { recordRefundResult, requestRefund, type RefundRefusal, type RefundRequest, type RefundResult } from './refunds';
export { outcomeQueryDue, resolveOutcomeByQuery, resolveRefundByQuery, type PspIntentSnapshot, type PspRefundSnapshot } from './outcome-query';
export { onBookingConfirmed, onBookingReleased } from './saga';
export { FEE_RULES, feeSchedule, feeTermsFor, isFeeRule, platformFeeOf, type FeeRule, type FeeSchedule, type FeeTerms } from './fees';
export { reconcilePayments, type PaymentRecord, type PspIntentRecord, type ReconBreakKind, type ReconFinding, type ReconOutcome } from './reconciliation';
export {
  EXTERNAL_REFUND_REASON,
  notePspEvent,
  pspSyncDue,
  reconcileWithPsp,
  recordDispute,
  requestPspSync,
  type DisputeFacts,
  type ObservedRefund,
  type PspBreakFinding,
  type PspBreakKind,
  type PspEventFacts,
  type PspObservation,
  type PspSyncOutcome,
} from './psp-sync';
export {
  reconcileBooks,
  type BookingView,
  type BooksBreakKind,
  type BooksFinding,
  type BooksJudgement,
  type BooksLeg,
  type BooksOutcome,
  type BooksPaymentRecord,
  type LedgerView,
} from './books-reconciliation';
