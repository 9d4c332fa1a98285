import type { PaymentVoided } from '@txn/contracts';
import { deps, eventTypes, FakeLedgerBook, store, Story, TX } from '../../../test/unit/fake-book';
import { onPaymentAuthorized } from '../on-payment-authorized/on-payment-authorized';
import { onPaymentVoided } from './on-payment-voided';

function voided(story: Story, after_ms = 1_000): PaymentVoided {
  return { envelope: story.envelope('PaymentVoided', after_ms), paymentId: story.paymentId, bookingId: story.bookingId, statusBefore: 'AUTHORIZED', statusAfter: 'VOIDED', reason: 'BOOKING_CANCELLED', pspPaymentIntentId: 'pi_1', pspIdempotencyKey: 'k', voidedAmount: { amountMinor: 3_000n, currency: 'EUR' } };
}

describe('a payment voided', () => {
  it('voids its hold and releases the pending amounts; a second void is stale', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    await store(book, await onPaymentAuthorized(TX, story.authorized(3_000n, { expiresIn_ms: 3_600_000 }), deps(book)));
    const decided = await store(book, await onPaymentVoided(TX, voided(story), deps(book)));
    expect(eventTypes(decided)).toEqual(['HoldVoided']);
    expect(book.balances.get(story.account('PSP_CLEARING'))).toMatchObject({ debitsPendingMinor: 0n });
    expect((await onPaymentVoided(TX, voided(story), deps(book))).decision).toMatchObject({ outcome: 'stale' });
  });

  it('expires a hold that lapsed before the void, judged by the void\'s own time', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    await store(book, await onPaymentAuthorized(TX, story.authorized(3_000n, { expiresIn_ms: 60_000 }), deps(book)));
    const decided = await onPaymentVoided(TX, voided(story, 120_000), deps(book));
    expect(decided.decision).toMatchObject({ outcome: 'applied', events: [{ eventType: 'HoldVoided', payload: { reason: 'HOLD_EXPIRED' } }] });
  });
});
