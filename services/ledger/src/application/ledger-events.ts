import {
  type EntryPosted,
  type EscrowReleased,
  type HoldPlaced,
  type HoldPosted,
  type HoldVoided,
  type LedgerRejected,
  type Envelope,
  type Money as ContractMoney,
  type Posting,
} from '@txn/contracts';
import { isCurrencyCode, type Money } from '@txn/money';
import { type EscrowRelease, type Hold, type JournalEntry } from '@txn/ledger-domain';
import { refusal, type Refusal } from '../domain/refusal';

/**
 * What the ledger's handlers return: the outcome for the inbox (and logs/metrics) and the events
 * to append to the outbox in the same transaction, as generated payloads without the envelope.
 * The caller builds each envelope: eventId (new), eventType, occurredAt, producer 'ledger',
 * aggregateId and aggregateVersion from the draft, correlationId and tenantId from the consumed
 * event, causationId = the consumed event's id.
 */
interface Draft<Type extends string, Payload extends { readonly envelope: Envelope }> {
  readonly eventType: Type;
  /** Also the Kafka key. */
  readonly aggregateId: string;
  readonly aggregateVersion: bigint;
  readonly payload: Omit<Payload, 'envelope'>;
}

export type LedgerEventDraft =
  | Draft<'HoldPlaced', HoldPlaced>
  | Draft<'HoldPosted', HoldPosted>
  | Draft<'HoldVoided', HoldVoided>
  | Draft<'EntryPosted', EntryPosted>
  | Draft<'EscrowReleased', EscrowReleased>
  | Draft<'LedgerRejected', LedgerRejected>;

/**
 * `duplicate`: the fact was already applied (nothing written, nothing emitted); the consumer
 * records it like `stale`. `stale`: overtaken by state (e.g. a void of a hold that already lapsed).
 * `rejected`: refused and reported with LedgerRejected.
 */
export type LedgerOutcome = 'applied' | 'duplicate' | 'stale' | 'rejected';

export interface LedgerHandling {
  readonly outcome: LedgerOutcome;
  readonly events: readonly LedgerEventDraft[];
}

export const NOTHING_TO_DO = { duplicate: { outcome: 'duplicate', events: [] }, stale: { outcome: 'stale', events: [] } } as const satisfies Record<
  string,
  LedgerHandling
>;

/** The contracts carry the currency as a string; the ledger works only with supported ones. */
export function moneyOf(amount: ContractMoney, field: string): Money | Refusal {
  if (!isCurrencyCode(amount.currency)) return refusal('CURRENCY_MISMATCH', `${field}: unsupported currency "${amount.currency}"`);
  return { amountMinor: amount.amountMinor, currency: amount.currency };
}

export function isRefusal(value: Money | Refusal): value is Refusal {
  return 'rejectionCode' in value;
}

function postingsOf(entry: JournalEntry): Posting[] {
  return entry.lines.map((line) => ({ accountId: line.accountId, side: line.side, amount: { amountMinor: line.amount.amountMinor, currency: line.amount.currency } }));
}

export function holdPlaced(hold: Hold): LedgerEventDraft {
  return {
    eventType: 'HoldPlaced',
    aggregateId: hold.holdId,
    aggregateVersion: 1n,
    payload: {
      holdId: hold.holdId,
      statusBefore: null,
      statusAfter: 'PENDING',
      reason: hold.reason,
      paymentId: hold.paymentId ?? '',
      bookingId: hold.bookingId ?? '',
      debitAccountId: hold.debitAccountId,
      creditAccountId: hold.creditAccountId,
      amount: hold.amount,
      expiresAt: hold.expiresAt,
    },
  };
}

export function holdPosted(hold: Hold, entry: JournalEntry): LedgerEventDraft {
  return {
    eventType: 'HoldPosted',
    aggregateId: hold.holdId,
    aggregateVersion: 2n,
    payload: {
      holdId: hold.holdId,
      statusBefore: 'PENDING',
      statusAfter: 'POSTED',
      reason: hold.reason,
      paymentId: hold.paymentId ?? '',
      bookingId: hold.bookingId ?? '',
      entryId: entry.entryId,
      heldAmount: hold.amount,
      postedAmount: { amountMinor: hold.postedAmountMinor ?? 0n, currency: hold.amount.currency },
      postings: postingsOf(entry),
    },
  };
}

export function holdVoided(hold: Hold): LedgerEventDraft {
  return {
    eventType: 'HoldVoided',
    aggregateId: hold.holdId,
    aggregateVersion: 2n,
    payload: {
      holdId: hold.holdId,
      statusBefore: 'PENDING',
      statusAfter: 'VOIDED',
      reason: hold.reason,
      paymentId: hold.paymentId ?? '',
      bookingId: hold.bookingId ?? '',
      voidedAmount: hold.amount,
    },
  };
}

export function entryPosted(entry: JournalEntry): LedgerEventDraft {
  return {
    eventType: 'EntryPosted',
    aggregateId: entry.entryId,
    aggregateVersion: 1n,
    payload: {
      entryId: entry.entryId,
      entryType: entry.entryType,
      reason: entry.reason,
      postings: postingsOf(entry),
      reversesEntryId: entry.reversesEntryId,
      paymentId: entry.paymentId,
      bookingId: entry.bookingId,
    },
  };
}

export function escrowReleased(release: EscrowRelease, escrowVersion: bigint): LedgerEventDraft {
  const { escrow, entry } = release;
  return {
    eventType: 'EscrowReleased',
    aggregateId: escrow.escrowId,
    aggregateVersion: escrowVersion,
    payload: {
      escrowId: escrow.escrowId,
      statusBefore: 'FUNDED',
      statusAfter: escrow.status,
      reason: entry.reason,
      bookingId: escrow.bookingId ?? '',
      paymentId: escrow.paymentId ?? '',
      entryId: entry.entryId,
      releasedAmount: release.releasedAmount,
      merchantAmount: release.merchantAmount,
      platformFee: release.platformFee,
    },
  };
}

export interface RejectedEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly paymentId: string | null;
  readonly bookingId: string | null;
  readonly amount: ContractMoney | null;
}

/** LedgerRejected, keyed by the refused event's id: one refusal per event, however often it is redelivered. */
export function ledgerRejected(rejectedEvent: RejectedEvent, refused: Refusal): LedgerHandling {
  return {
    outcome: 'rejected',
    events: [
      {
        eventType: 'LedgerRejected',
        aggregateId: rejectedEvent.eventId,
        aggregateVersion: 1n,
        payload: {
          rejectionId: rejectedEvent.eventId,
          rejectionCode: refused.rejectionCode,
          reason: refused.reason,
          rejectedEventType: rejectedEvent.eventType,
          paymentId: rejectedEvent.paymentId,
          bookingId: rejectedEvent.bookingId,
          amount: rejectedEvent.amount,
        },
      },
    ],
  };
}
