export { authorityRefusal, NOT_BOOKING_CUSTOMER } from './authority';
export {
  BOOKING_TRANSITIONS,
  isTerminalBooking,
  TERMINAL_BOOKING_STATES,
  type Booking,
  type BookingDecision,
  type BookingEvent,
  type BookingState,
  type BookingStatus,
  type Slot,
} from './booking';
export {
  assertDeadlinePolicy,
  DEADLINE_REASONS,
  deadlineStage,
  DEFAULT_CAPTURE_DEADLINE_MS,
  DEFAULT_COMPLETION_GRACE_MS,
  DEFAULT_DEADLINE_POLICY,
  expireLapsedHold,
  MAX_CAPTURE_DEADLINE_MS,
  MAX_COMPLETION_GRACE_MS,
  onDeadlineReached,
  sagaDeadline,
  type BookingDeadlineStage,
  type DeadlinePolicy,
  type DeadlineReached,
  type SagaDeadline,
} from './deadlines';
export { authorizedWithinHold, DEFAULT_HOLD_EXPIRY_GRACE_MS, holdStageDeadline, MAX_HOLD_EXPIRY_GRACE_MS } from './hold-expiry';
export { DEFAULT_HOLD_MS, DEFAULT_HOLD_POLICY, holdDeadline, MAX_HOLD_MS, type HoldPolicy } from './hold-policy';
export {
  cancel,
  cancelWithRefund,
  complete,
  confirm,
  expire,
  hold,
  invalidRequest,
  reject,
  REJECTION_CODES,
  requestBooking,
  type Authorization,
  type BookingRequest,
  type Cancellation,
  type RejectionCode,
} from './intents';
export { onPaymentAuthorized, onPaymentCaptured, onPaymentCaptureFailed, onPaymentFailed, SAGA_REASONS } from './saga';
export {
  assertValidRefundPolicy,
  cancelledByOf,
  BASIS_POINTS_PER_WHOLE,
  DEFAULT_REFUND_POLICY,
  MAX_REFUND_POLICY_TIERS,
  refundByPolicy,
  type CancelledBy,
  type RefundPolicy,
  type RefundPolicyFacts,
} from './refund-policy';
export { decideResource, RESOURCE_ID, type Resource, type ResourceDecision } from './resource';
