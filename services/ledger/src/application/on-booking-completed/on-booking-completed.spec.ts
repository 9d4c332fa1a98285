import type { BookingCompleted } from '@txn/contracts';
import { deps, FakeLedgerBook, Story, TX } from '../../../test/unit/fake-book';
import { onBookingCompleted } from './on-booking-completed';

function completed(story: Story): BookingCompleted {
  const envelope = story.envelope('BookingCompleted');
  return { envelope, bookingId: story.bookingId, statusBefore: 'CONFIRMED', statusAfter: 'COMPLETED', reason: 'SERVICE_DELIVERED', paymentId: story.paymentId, deliveredAt: envelope.occurredAt };
}

describe('a booking completed before its capture was seen', () => {
  it('puts the release aside for the capture; the same completion again is already applied, another one a break', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    const completion = completed(story);
    const first = await onBookingCompleted(TX, completion, deps(book));
    expect(first.decision).toMatchObject({ outcome: 'applied', events: [], state: { releaseRequests: { put: [{ paymentId: story.paymentId, entryId: completion.envelope.eventId }] } } });
    if (first.decision.outcome === 'applied') await book.write(TX, first.decision.state);
    expect((await onBookingCompleted(TX, completion, deps(book))).decision).toEqual({ outcome: 'stale', stale: 'ALREADY_APPLIED' });
    expect((await onBookingCompleted(TX, completed(story), deps(book))).decision).toMatchObject({ outcome: 'applied', state: { breaks: [{ kind: 'RELEASE_BLOCKED', code: 'DUPLICATE_CONFLICT' }] } });
    expect(book.paymentLocks).toEqual([story.paymentId, story.paymentId, story.paymentId]);
  });
});
