import { CompleteBooking } from '@txn/contracts';
import type { EventPublisher } from '@txn/nest-messaging';
import { fromEntityManager } from '@txn/sql';
import type { EntityManager } from 'typeorm';
import type { BookingViewEntity } from '../../read-models/read-model.entities';
import { commandableBooking } from '../booking-command';
import { commandEnvelope, type CommandCaller } from '../command-envelope';

/** POST /v1/bookings/{id}/complete: CompleteBooking in the outbox, the row noting it, in one transaction. */
export async function completeBooking(
  manager: EntityManager,
  publisher: EventPublisher,
  caller: CommandCaller,
  bookingId: string,
  delivery: { readonly deliveredAt: Date; readonly reason: string | null },
  now: Date,
): Promise<BookingViewEntity> {
  const row = await commandableBooking(manager, bookingId, CompleteBooking.eventType, now);
  await publisher.publish(fromEntityManager(manager), CompleteBooking, {
    envelope: commandEnvelope(CompleteBooking.eventType, bookingId, caller, now),
    bookingId,
    deliveredAt: delivery.deliveredAt,
    reason: delivery.reason,
  });
  return row;
}
