export {
  accountId,
  CHART_OF_ACCOUNTS,
  definitionOf,
  isAccountCode,
  NORMAL_SIDE_OF_TYPE,
  parseAccountId,
  type AccountCode,
  type AccountDefinition,
  type AccountLimit,
  type AccountRef,
  type AccountType,
  type Side,
} from './accounts';
export {
  admit,
  applyEntry,
  applyHoldChange,
  availableBalance,
  BALANCE_FIELDS,
  NO_BALANCES,
  postedBalance,
  zeroBalance,
  type AccountBalance,
  type BalanceField,
  type Balances,
} from './balances';
export { ledgerError, type LedgerError, type LedgerErrorCode } from './errors';
export {
  authorizationHold,
  captureToEscrow,
  escrowRemaining,
  refundEscrow,
  isSameRefund,
  releaseEscrow,
  type AuthorizationHoldInput,
  type CaptureInput,
  type Escrow,
  type EscrowRefund,
  type EscrowRelease,
  type EscrowStatus,
} from './escrow';
export { splitCapture, splitRefund, type FeeSplit, type FeeTermsApplied, type RefundSplit } from './fee-split';
export {
  expireHold,
  isExpired,
  placeHold,
  postHold,
  sameHold,
  voidHold,
  type Hold,
  type HoldChange,
  type HoldStatus,
  type PlaceHoldInput,
  type PostHoldInput,
} from './holds';
export {
  classifyRepost,
  MAX_AMOUNT_MINOR,
  MAX_LINES_PER_ENTRY,
  netByCurrency,
  postEntry,
  reverse,
  type EntryDraft,
  type EntryType,
  type JournalEntry,
  type JournalLine,
} from './journal-entry';
export { balancesFromJournal, verify, type Discrepancy, type Journal } from './verify';
export { checkEntryIds, isUuid, normalisedEntry } from './ids';
export { BREAK_KINDS, breakOf, suspenseEntry, type BreakKind, type LedgerBreak, type MoneyDirection, type SuspenseInput } from './suspense';
export { explanationEntryId, isSuspenseTarget, suspenseClearingEntry, SUSPENSE_TARGETS, type SuspenseExplanation, type SuspenseTarget } from './suspense-explanation';
