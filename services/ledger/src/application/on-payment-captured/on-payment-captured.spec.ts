import type { BookingCompleted } from '@txn/contracts';
import { deps, eventTypes, FakeLedgerBook, store, Story, TX } from '../../../test/unit/fake-book';
import { onPaymentVoided } from '../on-payment-voided/on-payment-voided';
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
    const decided = await store(book, await onPaymentCaptured(TX, story.captured(10_000n, 250n), deps(book)));
    expect(eventTypes(decided)).toEqual(['HoldPosted', 'EntryPosted']);
    expect(book.escrows.get(story.paymentId)).toMatchObject({ version: 1n, escrow: { status: 'FUNDED', split: { platformFee: { amountMinor: 250n }, merchantShare: { amountMinor: 9_750n } } } });
    expect(book.posted(story.account('ESCROW'))).toBe(-9_750n);
    expect(book.posted(story.account('PLATFORM_FEE_ESCROW'))).toBe(-250n);
  });

  it("books the fee the capture states, with the rate, rule and schedule version that produced it: the ledger keeps no rates of its own", async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    await authorize(book, story, 10_000n);
    // A rate the ledger never heard of (the schedule changed while the event was queued): still the fact.
    const terms = { feeBps: 300, feeRule: 'MERCHANT_RATE/HALF_UP', feeScheduleVersion: 'fs-changed' };
    const decided = await store(book, await onPaymentCaptured(TX, story.captured(10_000n, 300n, terms), deps(book)));
    expect(eventTypes(decided)).toEqual(['HoldPosted', 'EntryPosted']);
    expect(book.escrows.get(story.paymentId)?.escrow.split).toMatchObject({ platformFee: { amountMinor: 300n }, merchantShare: { amountMinor: 9_700n }, ...terms });
    expect(book.paymentLocks).toContain(story.paymentId);
  });

  it('never refuses money the PSP took: a capture with no hold is booked to SUSPENSE and raises one break, however often it comes', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    const capture = story.captured(100n, 3n);
    const decided = await store(book, await onPaymentCaptured(TX, capture, deps(book)));
    expect(decided.decision.outcome).toBe('applied');
    expect(eventTypes(decided)).toEqual(['LedgerBreakRaised', 'EntryPosted']);
    expect(book.posted(story.account('PSP_CLEARING'))).toBe(100n);
    expect(book.posted(story.account('SUSPENSE'))).toBe(-100n);
    expect([...book.breaks.values()]).toEqual([
      expect.objectContaining({ breakId: capture.envelope.eventId, kind: 'CAPTURE_UNPLACED', code: 'HOLD_NOT_FOUND', paymentId: story.paymentId, amount: { amountMinor: 100n, currency: 'EUR' }, suspenseEntryId: capture.envelope.eventId }),
    ]);
    expect(book.escrows.size).toBe(0);
    // The same fact again (re-sent after the inbox forgot it): nothing more is booked.
    expect((await onPaymentCaptured(TX, capture, deps(book))).decision).toEqual({ outcome: 'stale', stale: 'ALREADY_APPLIED' });
  });

  it('books a capture of a hold the ledger already voided to SUSPENSE too, and a fee it cannot split, naming why', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    await authorize(book, story, 10_000n);
    const voided = { envelope: story.envelope('PaymentVoided'), paymentId: story.paymentId, bookingId: story.bookingId, statusBefore: 'AUTHORIZED', statusAfter: 'VOIDED', reason: 'BOOKING_EXPIRED', pspPaymentIntentId: 'pi_1', pspIdempotencyKey: 'k', voidedAmount: { amountMinor: 10_000n, currency: 'EUR' } } as const;
    await store(book, await onPaymentVoided(TX, voided, deps(book)));
    await store(book, await onPaymentCaptured(TX, story.captured(10_000n, 250n), deps(book)));
    const other = new Story();
    await authorize(book, other, 10_000n);
    await store(book, await onPaymentCaptured(TX, other.captured(10_000n, 10_001n), deps(book)));
    expect([...book.breaks.values()].map((raised) => [raised.paymentId, raised.kind, raised.code])).toEqual([
      [story.paymentId, 'CAPTURE_UNPLACED', 'HOLD_NOT_PENDING'],
      [other.paymentId, 'CAPTURE_UNPLACED', 'INVALID_FEE'],
    ]);
    expect(book.posted(story.account('SUSPENSE'))).toBe(-20_000n);
  });

  it('applies a completion that arrived before it, in the same decision: escrow funded and released at once', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    await authorize(book, story, 4_000n);
    const early = await store(book, await onBookingCompleted(TX, completed(story), deps(book)));
    expect(early.decision).toMatchObject({ outcome: 'applied', events: [] });
    expect(book.releaseRequests.size).toBe(1);
    const decided = await store(book, await onPaymentCaptured(TX, story.captured(4_000n, 100n), deps(book)));
    expect(eventTypes(decided)).toEqual(['HoldPosted', 'EntryPosted', 'EscrowReleased', 'EntryPosted']);
    expect(book.escrows.get(story.paymentId)).toMatchObject({ version: 2n, escrow: { status: 'RELEASED' } });
    expect(book.releaseRequests.size).toBe(0);
    expect(book.posted(story.account('MERCHANT_PAYABLE'))).toBe(-3_900n);
  });
});
