import type { PaymentRefunded } from '@txn/contracts';
import { deps, eventTypes, FakeLedgerBook, feeRates, store, Story, TX } from '../../../test/unit/fake-book';
import { onPaymentAuthorized } from '../on-payment-authorized/on-payment-authorized';
import { onPaymentCaptured } from '../on-payment-captured/on-payment-captured';
import { onPaymentRefunded } from './on-payment-refunded';

async function capturedStory(book: FakeLedgerBook): Promise<Story> {
  const story = new Story();
  await store(book, await onPaymentAuthorized(TX, story.authorized(10_000n), deps(book)));
  await store(book, await onPaymentCaptured(TX, story.captured(10_000n, 250n), { ...deps(book), feeRates }));
  return story;
}

function refunded(story: Story, amountMinor: bigint): PaymentRefunded {
  return {
    envelope: story.envelope('PaymentRefunded'),
    paymentId: story.paymentId,
    bookingId: story.bookingId,
    statusBefore: 'CAPTURED',
    statusAfter: 'PARTIALLY_REFUNDED',
    reason: 'BOOKING_CANCELLED_AFTER_CAPTURE',
    refundId: story.paymentId,
    pspPaymentIntentId: 'pi',
    pspRefundId: 're_1',
    pspIdempotencyKey: 'k',
    refundedAmount: { amountMinor, currency: 'EUR' },
    totalRefunded: { amountMinor, currency: 'EUR' },
  };
}

describe('a payment refunded', () => {
  it('gives the money back out of escrow, fee and share in proportion, and a redelivery is already applied', async () => {
    const book = new FakeLedgerBook();
    const story = await capturedStory(book);
    const refund = refunded(story, 4_000n);
    const decided = await store(book, await onPaymentRefunded(TX, refund, deps(book)));
    expect(eventTypes(decided)).toEqual(['EntryPosted']);
    expect(book.escrows.get(story.paymentId)).toMatchObject({ version: 2n, escrow: { refundedMinor: 4_000n, refundedPlatformFeeMinor: 100n } });
    expect((await onPaymentRefunded(TX, refund, deps(book))).decision).toEqual({ outcome: 'stale', stale: 'ALREADY_APPLIED' });
  });

  it('refuses a refund beyond what was captured, and one of an escrow it never funded', async () => {
    const book = new FakeLedgerBook();
    const story = await capturedStory(book);
    expect((await onPaymentRefunded(TX, refunded(story, 10_001n), deps(book))).decision).toMatchObject({ outcome: 'refused', refused: 'REFUND_EXCEEDS_CAPTURE' });
    expect((await onPaymentRefunded(TX, refunded(new Story(), 1n), deps(book))).decision).toMatchObject({ outcome: 'refused', refused: 'ESCROW_NOT_FOUND' });
  });
});
