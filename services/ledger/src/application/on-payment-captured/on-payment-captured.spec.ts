import type { BookingCompleted } from '@txn/contracts';
import { deps, eventTypes, FakeLedgerBook, feeRates, store, Story, TX } from '../../../test/unit/fake-book';
import { onBookingCompleted } from '../on-booking-completed/on-booking-completed';
import { onPaymentAuthorized } from '../on-payment-authorized/on-payment-authorized';
import { onPaymentCaptured } from './on-payment-captured';

function completed(story: Story): BookingCompleted {
  return { envelope: story.envelope('BookingCompleted'), bookingId: story.bookingId, statusBefore: 'CONFIRMED', statusAfter: 'COMPLETED', reason: 'SERVICE_DELIVERED', paymentId: story.paymentId, deliveredAt: story.envelope('x').occurredAt };
}

async function authorize(book: FakeLedgerBook, story: Story, amountMinor: bigint): Promise<void> {
  await store(book, await onPaymentAuthorized(TX, story.authorized(amountMinor), deps(book)));
}

describe('a payment captured', () => {
  it('posts the hold into escrow split between the merchant\'s share and the platform fee', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    await authorize(book, story, 10_000n);
    const decided = await store(book, await onPaymentCaptured(TX, story.captured(10_000n, 250n), { ...deps(book), feeRates }));
    expect(eventTypes(decided)).toEqual(['HoldPosted', 'EntryPosted']);
    expect(book.escrows.get(story.paymentId)).toMatchObject({ version: 1n, escrow: { status: 'FUNDED', split: { platformFee: { amountMinor: 250n }, merchantShare: { amountMinor: 9_750n } } } });
    expect(book.posted(story.account('ESCROW'))).toBe(-9_750n);
    expect(book.posted(story.account('PLATFORM_FEE_ESCROW'))).toBe(-250n);
  });

  it('refuses a fee that disagrees with the ledger\'s rate, and a capture of a payment it never held, writing nothing', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    await authorize(book, story, 10_000n);
    const mismatch = await onPaymentCaptured(TX, story.captured(10_000n, 300n), { ...deps(book), feeRates });
    expect(mismatch.decision).toMatchObject({ outcome: 'refused', refused: 'PLATFORM_FEE_MISMATCH' });
    const unknown = await onPaymentCaptured(TX, new Story().captured(100n, 3n), { ...deps(book), feeRates });
    expect(unknown.decision).toMatchObject({ outcome: 'refused', refused: 'HOLD_NOT_FOUND' });
    expect(book.escrows.size).toBe(0);
  });

  it('applies a completion that arrived before it, in the same decision: escrow funded and released at once', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    await authorize(book, story, 4_000n);
    const early = await store(book, await onBookingCompleted(TX, completed(story), deps(book)));
    expect(early.decision).toMatchObject({ outcome: 'applied', events: [] });
    expect(book.releaseRequests.size).toBe(1);
    const decided = await store(book, await onPaymentCaptured(TX, story.captured(4_000n, 100n), { ...deps(book), feeRates }));
    expect(eventTypes(decided)).toEqual(['HoldPosted', 'EntryPosted', 'EscrowReleased', 'EntryPosted']);
    expect(book.escrows.get(story.paymentId)).toMatchObject({ version: 2n, escrow: { status: 'RELEASED' } });
    expect(book.releaseRequests.size).toBe(0);
    expect(book.posted(story.account('MERCHANT_PAYABLE'))).toBe(-3_900n);
  });
});
