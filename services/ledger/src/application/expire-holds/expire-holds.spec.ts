import { DecisionSettler, type OutboxWriter, type PendingEvent } from '@txn/nest-messaging';
import pino from 'pino';
import { Registry } from 'prom-client';
import { deps, FakeLedgerBook, NOW, store, Story, TX } from '../../../test/unit/fake-book';
import { ledgerDecisionStore } from '../ledger-decided';
import { onPaymentAuthorized } from '../on-payment-authorized/on-payment-authorized';
import { expireDueHolds, SWEEPER_ACTOR } from './expire-holds';

async function authorizedHold(book: FakeLedgerBook, expiresAt: Date): Promise<Story> {
  const story = new Story();
  const event = story.authorized(1_000n);
  await store(book, await onPaymentAuthorized(TX, { ...event, authorizationExpiresAt: expiresAt }, deps(book)));
  return story;
}

describe('the hold expiry sweep', () => {
  it('expires holds lapsed for longer than the grace, as the sweeper, naming the event it emits as the hold\'s closing event', async () => {
    const book = new FakeLedgerBook();
    const lapsed = await authorizedHold(book, new Date(NOW.getTime() - 20 * 60_000));
    const withinGrace = await authorizedHold(book, new Date(NOW.getTime() - 5 * 60_000));
    const published: PendingEvent[] = [];
    const outbox: OutboxWriter = { publishAll: async (_tx, events) => void published.push(...events) };
    const settler = new DecisionSettler({ service: 'ledger', outbox, store: ledgerDecisionStore(book), logger: pino({ level: 'silent' }), metrics: new Registry() });
    const swept = await expireDueHolds({ transactions: (work) => work(TX), book, settler, logger: pino({ level: 'silent' }), batchSize: 10, grace_ms: 15 * 60_000, clock: () => NOW });
    expect(swept).toEqual({ due: 1, expired: 1 });
    const closed = book.holds.get(lapsed.paymentId);
    expect(closed?.hold).toMatchObject({ status: 'VOIDED', reason: 'HOLD_EXPIRED' });
    expect(book.holds.get(withinGrace.paymentId)?.hold.status).toBe('PENDING');
    expect(published.map((pending) => pending.event.envelope)).toEqual([expect.objectContaining({ eventType: 'HoldVoided', eventId: closed?.closedByEventId, actor: SWEEPER_ACTOR, causationId: null, correlationId: lapsed.bookingId })]);
  });
});
