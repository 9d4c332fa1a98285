import type { EntryPosted, EscrowReleased, HoldPlaced, HoldPosted, HoldVoided, LedgerBreakRaised, Posting } from '@txn/contracts';
import type { DomainEventsOf, IntentContext } from '@txn/domain-kernel';
import type { EscrowRelease, Hold, JournalEntry, LedgerBreak } from '@txn/ledger-domain';

/** What the ledger emits: the generated payloads, as domain events the settle path envelopes. */
export type LedgerEvent = DomainEventsOf<{ HoldPlaced: HoldPlaced; HoldPosted: HoldPosted; HoldVoided: HoldVoided; EntryPosted: EntryPosted; EscrowReleased: EscrowReleased; LedgerBreakRaised: LedgerBreakRaised }>;

function event<T extends LedgerEvent['eventType']>(eventType: T, aggregateId: string, aggregateVersion: bigint, ctx: IntentContext, payload: Extract<LedgerEvent, { eventType: T }>['payload']): LedgerEvent {
  return { eventType, aggregateId, aggregateVersion, occurredAt: ctx.now, actor: ctx.actor, payload } as LedgerEvent;
}

function postingsOf(entry: JournalEntry): Posting[] {
  return entry.lines.map((line) => ({ accountId: line.accountId, side: line.side, amount: { amountMinor: line.amount.amountMinor, currency: line.amount.currency } }));
}

/** What every hold event says about its hold. */
function holdFields(hold: Hold): { holdId: string; reason: string; paymentId: string; bookingId: string } {
  return { holdId: hold.holdId, reason: hold.reason, paymentId: hold.paymentId ?? '', bookingId: hold.bookingId ?? '' };
}

export function holdPlaced(hold: Hold, ctx: IntentContext): LedgerEvent {
  return event('HoldPlaced', hold.holdId, 1n, ctx, {
    ...holdFields(hold),
    statusBefore: null,
    statusAfter: 'PENDING',
    debitAccountId: hold.debitAccountId,
    creditAccountId: hold.creditAccountId,
    amount: hold.amount,
    expiresAt: hold.expiresAt,
  });
}

export function holdPosted(hold: Hold, entry: JournalEntry, ctx: IntentContext): LedgerEvent {
  return event('HoldPosted', hold.holdId, 2n, ctx, {
    ...holdFields(hold),
    statusBefore: 'PENDING',
    statusAfter: 'POSTED',
    entryId: entry.entryId,
    heldAmount: hold.amount,
    postedAmount: { amountMinor: hold.postedAmountMinor ?? 0n, currency: hold.amount.currency },
    postings: postingsOf(entry),
  });
}

/** `eventId`: the hold's closing event when the decision named it (the sweeper stores it on the row). */
export function holdVoided(hold: Hold, ctx: IntentContext, eventId?: string): LedgerEvent {
  const voided = event('HoldVoided', hold.holdId, 2n, ctx, { ...holdFields(hold), statusBefore: 'PENDING', statusAfter: 'VOIDED', voidedAmount: hold.amount });
  return eventId === undefined ? voided : { ...voided, eventId };
}

export function entryPosted(entry: JournalEntry, ctx: IntentContext): LedgerEvent {
  return event('EntryPosted', entry.entryId, 1n, ctx, {
    entryId: entry.entryId,
    entryType: entry.entryType,
    reason: entry.reason,
    postings: postingsOf(entry),
    reversesEntryId: entry.reversesEntryId,
    paymentId: entry.paymentId,
    bookingId: entry.bookingId,
  });
}

export function escrowReleased(release: EscrowRelease, escrowVersion: bigint, ctx: IntentContext): LedgerEvent {
  const { escrow, entry } = release;
  return event('EscrowReleased', escrow.escrowId, escrowVersion, ctx, {
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
  });
}

/** LedgerBreakRaised, keyed by the fact's event id: one break per fact, however often it is redelivered. */
export function ledgerBreakRaised(raised: LedgerBreak, ctx: IntentContext): LedgerEvent {
  return event('LedgerBreakRaised', raised.breakId, 1n, ctx, {
    breakId: raised.breakId,
    kind: raised.kind,
    code: raised.code,
    reason: raised.reason,
    factEventType: raised.factEventType,
    paymentId: raised.paymentId,
    bookingId: raised.bookingId,
    amount: raised.amount,
    suspenseEntryId: raised.suspenseEntryId,
  });
}
