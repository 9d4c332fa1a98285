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
