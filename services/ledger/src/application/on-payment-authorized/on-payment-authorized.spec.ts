import { deps, eventTypes, FakeLedgerBook, store, Story, TX } from '../../../test/unit/fake-book';
import { onPaymentAuthorized } from './on-payment-authorized';

describe('a payment authorized', () => {
  it('places a pending hold from PSP clearing to the customer funds held, moving only pending balances', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    const decided = await store(book, await onPaymentAuthorized(TX, story.authorized(12_000n), deps(book)));
    expect(eventTypes(decided)).toEqual(['HoldPlaced']);
    expect(decided.subject).toMatchObject({ tenantId: story.tenantId, correlationId: story.bookingId });
    expect(book.holds.get(story.paymentId)?.hold).toMatchObject({ status: 'PENDING', amount: { amountMinor: 12_000n } });
    expect(book.balances.get(story.account('PSP_CLEARING'))).toMatchObject({ debitsPendingMinor: 12_000n, debitsPostedMinor: 0n });
  });

  it('finds the same authorization under another event id already applied, and a different one a conflict', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    await store(book, await onPaymentAuthorized(TX, story.authorized(12_000n), deps(book)));
    expect((await onPaymentAuthorized(TX, story.authorized(12_000n), deps(book))).decision).toEqual({ outcome: 'stale', stale: 'ALREADY_APPLIED' });
    const other = await onPaymentAuthorized(TX, story.authorized(13_000n), deps(book));
    expect(other.decision).toMatchObject({ outcome: 'refused', refused: 'DUPLICATE_CONFLICT' });
    expect(eventTypes(other)).toEqual(['LedgerRejected']);
  });

  it('refuses, and announces, an amount in a currency the ledger does not keep', async () => {
    const book = new FakeLedgerBook();
    const decided = await onPaymentAuthorized(TX, new Story().authorized(100n, { currency: 'XXX' }), deps(book));
    expect(decided.decision).toMatchObject({ outcome: 'refused', refused: 'CURRENCY_MISMATCH', events: [{ eventType: 'LedgerRejected', payload: { rejectionCode: 'CURRENCY_MISMATCH', rejectedEventType: 'PaymentAuthorized' } }] });
    expect(book.holds.size).toBe(0);
  });
});
