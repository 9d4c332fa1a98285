import type { PaymentRefunded } from '@txn/contracts';
import { deps, eventTypes, FakeLedgerBook, store, Story, TX } from '../../../test/unit/fake-book';
import { onPaymentAuthorized } from '../on-payment-authorized/on-payment-authorized';
import { onPaymentCaptured } from '../on-payment-captured/on-payment-captured';
import { onPaymentRefunded } from './on-payment-refunded';

async function capturedStory(book: FakeLedgerBook): Promise<Story> {
  const story = new Story();
  await store(book, await onPaymentAuthorized(TX, story.authorized(10_000n), deps(book)));
  await store(book, await onPaymentCaptured(TX, story.captured(10_000n, 250n), deps(book)));
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

  it('never refuses money the PSP gave back: beyond the capture, or of an escrow never funded, it comes out of SUSPENSE with a break', async () => {
    const book = new FakeLedgerBook();
    const story = await capturedStory(book);
    const beyond = await store(book, await onPaymentRefunded(TX, refunded(story, 10_001n), deps(book)));
    expect(eventTypes(beyond)).toEqual(['LedgerBreakRaised', 'EntryPosted']);
    const stranger = new Story();
    await store(book, await onPaymentRefunded(TX, refunded(stranger, 1n), deps(book)));
    expect([...book.breaks.values()].map((raised) => [raised.kind, raised.code, raised.amount?.amountMinor])).toEqual([
      ['REFUND_UNPLACED', 'REFUND_EXCEEDS_CAPTURE', 10_001n],
      ['REFUND_UNPLACED', 'ESCROW_NOT_FOUND', 1n],
    ]);
    expect(book.posted(story.account('SUSPENSE'))).toBe(10_002n);
    expect(book.escrows.get(story.paymentId)).toMatchObject({ version: 1n, escrow: { refundedMinor: 0n } });
  });
});
