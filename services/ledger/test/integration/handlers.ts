import type { BookingCompleted, PaymentAuthorized, PaymentCaptured, PaymentRefunded, PaymentVoided } from '@txn/contracts';
import type { JournalEntry } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import type { LedgerDeps } from '../../src/application/ledger-context';
import { ALREADY_APPLIED, ledgerDecisionStore, type LedgerDecided } from '../../src/application/ledger-decided';
import type { LedgerEvent } from '../../src/application/ledger-events';
import { onBookingCompleted as completed } from '../../src/application/on-booking-completed/on-booking-completed';
import { onPaymentAuthorized as authorized } from '../../src/application/on-payment-authorized/on-payment-authorized';
import { onPaymentCaptured as captured } from '../../src/application/on-payment-captured/on-payment-captured';
import { onPaymentRefunded as refunded } from '../../src/application/on-payment-refunded/on-payment-refunded';
import { onPaymentVoided as voided } from '../../src/application/on-payment-voided/on-payment-voided';
import { postAdjustment } from '../../src/application/post-adjustment/post-adjustment';
import { ledgerStore } from '../../src/persistence/ledger-store';

// The ledger's use cases as its consumer runs them, for the suites that drive the ledger against
// its real database without Kafka: the use case decides in the caller's transaction, and what it
// decided is written by the ledger's own store (the settle path's storeApplied), in that same
// transaction. The answer is the ledger's outcome and its events.

/**
 * `duplicate`: already applied (under this or another event id); `stale`: overtaken; `rejected`:
 * refused (only a command is); `break`: a fact the books could not place, booked to suspense or
 * kept with a break (LedgerBreakRaised among its events).
 */
export type LedgerOutcome = 'applied' | 'duplicate' | 'stale' | 'rejected' | 'break';

export interface LedgerHandling {
  readonly outcome: LedgerOutcome;
  readonly events: readonly LedgerEvent[];
}

export type LedgerEventDraft = LedgerEvent;

const SERVICE = { type: 'SERVICE' as const, id: 'ledger' };
const store = ledgerDecisionStore(ledgerStore);

function deps(): LedgerDeps {
  return { book: ledgerStore, actor: SERVICE, now: new Date() };
}

async function handle(tx: SqlTransaction, deciding: Promise<LedgerDecided>): Promise<LedgerHandling> {
  const { decision, subject } = await deciding;
  switch (decision.outcome) {
    case 'applied':
      await store.storeApplied(tx, { decision, subject, write: undefined, causationId: null });
      return { outcome: decision.state.breaks.length > 0 && decision.state.entries.every((entry) => entry.entryType === 'SUSPENSE') && decision.state.holds.length === 0 ? 'break' : 'applied', events: decision.events };
    case 'stale':
      return { outcome: decision.stale === ALREADY_APPLIED ? 'duplicate' : 'stale', events: [] };
    case 'refused':
      return { outcome: 'rejected', events: (decision.events ?? []) as readonly LedgerEvent[] };
  }
}

export const onPaymentAuthorized = (tx: SqlTransaction, event: PaymentAuthorized): Promise<LedgerHandling> => handle(tx, authorized(tx, event, deps()));
export const onPaymentCaptured = (tx: SqlTransaction, event: PaymentCaptured): Promise<LedgerHandling> => handle(tx, captured(tx, event, deps()));
export const onPaymentVoided = (tx: SqlTransaction, event: PaymentVoided): Promise<LedgerHandling> => handle(tx, voided(tx, event, deps()));
export const onPaymentRefunded = (tx: SqlTransaction, event: PaymentRefunded): Promise<LedgerHandling> => handle(tx, refunded(tx, event, deps()));
export const onBookingCompleted = (tx: SqlTransaction, event: BookingCompleted): Promise<LedgerHandling> => handle(tx, completed(tx, event, deps()));

/** An adjusting entry: applied, duplicate, or rejected with the refusal's code. */
export async function postEntry(tx: SqlTransaction, entry: JournalEntry): Promise<{ readonly outcome: LedgerOutcome; readonly refusal?: { readonly rejectionCode: string; readonly reason: string } }> {
  const { decision, subject } = await postAdjustment(tx, entry, deps());
  if (decision.outcome === 'refused') return { outcome: 'rejected', refusal: { rejectionCode: decision.refused, reason: decision.detail } };
  if (decision.outcome === 'stale') return { outcome: decision.stale === ALREADY_APPLIED ? 'duplicate' : 'stale' };
  await store.storeApplied(tx, { decision, subject, write: undefined, causationId: null });
  return { outcome: 'applied' };
}
