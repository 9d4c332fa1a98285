export { LEDGER_CODE_MIGRATIONS, migrateLedger, MIGRATIONS_DIR } from './persistence/migrations';
export { ledgerService } from './service';
export { feeBpsOf, readLedgerSettings, DEFAULT_PLATFORM_FEE_BPS, type LedgerSettings } from './settings';
export { HoldExpirySweeper, SWEEPER_ACTOR } from './application/expire-holds/hold-expiry-sweeper';
export { INBOX_OUTCOME, LedgerOutcomes } from './application/outcomes';
export {
  expireHold,
  loadEntry,
  lockDueHolds,
  lockHold,
  placeHold,
  postEntry,
  postHold,
  voidHold,
  writeHoldChange,
  type HoldWrite,
} from './persistence/ledger-repository';
export {
  captureToEscrow,
  lockEscrow,
  refundEscrow,
  releaseEscrow,
  takeReleaseRequest,
  type Capture,
  type Refund,
  type Release,
  type ReleaseRequest,
  type ReleaseWrite,
} from './persistence/escrow-repository';
export type { StoredEscrow, StoredHold } from './persistence/rows';
export { refusal, type RejectionCode, type Refusal, type Written } from './domain/refusal';
export { type LedgerEventDraft, type LedgerHandling, type LedgerOutcome } from './application/ledger-events';
export { onPaymentAuthorized, AUTHORIZATION_REASON } from './application/on-payment-authorized/on-payment-authorized';
export { onPaymentCaptured, CAPTURE_REASON, type CaptureDependencies } from './application/on-payment-captured/on-payment-captured';
export { onPaymentVoided } from './application/on-payment-voided/on-payment-voided';
export { onPaymentRefunded } from './application/on-payment-refunded/on-payment-refunded';
export { onBookingCompleted } from './application/on-booking-completed/on-booking-completed';
export {
  DOMAIN_VERIFY_MAX_ENTRIES,
  MAX_FINDINGS,
  verifyLedger,
  VERIFY_PAGE_SIZE,
  type Finding,
  type LedgerDiscrepancy,
  type VerifyOptions,
  type VerifyReport,
} from './verify';
