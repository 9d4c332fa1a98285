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

  it('finds the same authorization under another event id already applied, and keeps a different one as a break', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    await store(book, await onPaymentAuthorized(TX, story.authorized(12_000n), deps(book)));
    expect((await onPaymentAuthorized(TX, story.authorized(12_000n), deps(book))).decision).toEqual({ outcome: 'stale', stale: 'ALREADY_APPLIED' });
    const other = await onPaymentAuthorized(TX, story.authorized(13_000n), deps(book));
    expect(eventTypes(other)).toEqual(['LedgerBreakRaised']);
    expect(other.decision).toMatchObject({ outcome: 'applied', state: { breaks: [{ kind: 'AUTHORIZATION_UNPLACED', code: 'DUPLICATE_CONFLICT', suspenseEntryId: null }], entries: [] } });
  });

  it('keeps an amount in a currency the ledger does not know as an unreadable fact: a break with the amount as stated, nothing held', async () => {
    const book = new FakeLedgerBook();
    const decided = await store(book, await onPaymentAuthorized(TX, new Story().authorized(100n, { currency: 'XXX' }), deps(book)));
    expect(decided.decision).toMatchObject({ outcome: 'applied', events: [{ eventType: 'LedgerBreakRaised', payload: { kind: 'FACT_UNREADABLE', code: 'CURRENCY_MISMATCH', factEventType: 'PaymentAuthorized', amount: { amountMinor: 100n, currency: 'XXX' } } }] });
    expect(book.holds.size).toBe(0);
    expect(book.breaks.size).toBe(1);
  });
});
