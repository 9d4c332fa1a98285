import { randomUUID } from 'node:crypto';
import type { Actor } from '@txn/contracts';
import { expireHold, parseAccountId } from '@txn/ledger-domain';
import type { DecisionSettler } from '@txn/nest-messaging';
import type { IterationOutcome } from '@txn/service-kit';
import type { SqlTransaction, Transactions } from '@txn/sql';
import type { Logger } from 'pino';
import { appliedWrite, writeOf, type LedgerDecided, type LedgerDecision } from '../ledger-decided';
import { holdVoided } from '../ledger-events';
import { lockAndAdmit } from '../posting';
import type { LedgerBook, StoredHold } from '../ports';

export const SWEEPER_ACTOR: Actor = { type: 'SYSTEM', id: 'ledger-hold-expiry-sweeper' };

export interface ExpireHoldsDeps {
  readonly transactions: Transactions;
  readonly book: LedgerBook;
  readonly settler: DecisionSettler<LedgerDecision, undefined>;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  readonly batchSize: number;
  /** A hold is expired only this long after its deadline: the consumer lag a late capture is allowed. */
  readonly grace_ms: number;
  readonly clock: () => Date;
}

/** The expiry of one lapsed hold, under a new event id that is also stored as the hold's closing event. */
async function expiryOf(tx: SqlTransaction, book: LedgerBook, { hold }: StoredHold, now: Date): Promise<LedgerDecided | undefined> {
  const change = expireHold(hold, now);
  if (change.outcome !== 'applied') return undefined;
  const balances = await lockAndAdmit(tx, book, [change.value]);
  if (balances.outcome !== 'applied') return undefined;
  const eventId = randomUUID();
  const account = parseAccountId(hold.debitAccountId);
  const ctx = { now, actor: SWEEPER_ACTOR };
  const write = writeOf({ holds: [{ change: change.value, closedByEventId: eventId }], balances: balances.value });
  return {
    decision: appliedWrite(write, [holdVoided(change.value.after, ctx, eventId)]),
    subject: { aggregateId: hold.holdId, tenantId: account.outcome === 'applied' ? account.value.tenantId : '', correlationId: hold.bookingId ?? hold.holdId, status: hold.status },
    write: undefined,
  };
}

/**
 * Expires lapsed authorization holds: up to `batchSize` pending holds whose deadline passed more
 * than `grace_ms` ago, each voided with reason HOLD_EXPIRED and out as HoldVoided, in one
 * transaction per batch. Rows are taken FOR UPDATE SKIP LOCKED: instances sweep side by side, and
 * a hold a handler is deciding now waits for the next sweep. Returns how many it looked at and expired.
 */
export async function expireDueHolds(deps: ExpireHoldsDeps): Promise<{ readonly due: number; readonly expired: number }> {
  const now = deps.clock();
  return deps.transactions(async (tx) => {
    const due = await deps.book.lockDueHolds(tx, new Date(now.getTime() - deps.grace_ms), deps.batchSize);
    let expired = 0;
    for (const stored of due) {
      const expiry = await expiryOf(tx, deps.book, stored, now);
      // Locked, pending and past its deadline: only corrupt data gets here. Left for a person.
      if (expiry === undefined) deps.logger.warn({ holdId: stored.hold.holdId }, 'hold expiry refused');
      else if ((await deps.settler.settle(tx, expiry, undefined, { messageType: 'HoldExpiry' })) === 'applied') expired += 1;
    }
    return { due: due.length, expired };
  });
}

/** One sweep as periodic work. Only expirations make a full batch worth an immediate next sweep: refused holds stay due. */
export async function expireHoldsIteration(deps: ExpireHoldsDeps): Promise<IterationOutcome> {
  const { due, expired } = await expireDueHolds(deps);
  if (expired > 0) deps.logger.info({ expired }, 'expired lapsed holds');
  return due >= deps.batchSize && expired > 0 ? 'more-due' : 'caught-up';
}
