import { CancelBooking } from '@txn/contracts';
import type { EventPublisher } from '@txn/nest-messaging';
import { fromEntityManager } from '@txn/sql';
import type { EntityManager } from 'typeorm';
import type { BookingViewEntity } from '../../read-models/read-model.entities';
import { commandableBooking } from '../booking-command';
import { commandEnvelope, type CommandCaller } from '../command-envelope';

export const DEFAULT_CANCEL_REASON = 'MERCHANT_REQUEST';

/** POST /v1/bookings/{id}/cancel: CancelBooking in the outbox, the row noting it, in one transaction. */
export async function cancelBooking(manager: EntityManager, publisher: EventPublisher, caller: CommandCaller, bookingId: string, reason: string, now: Date): Promise<BookingViewEntity> {
  const row = await commandableBooking(manager, bookingId, CancelBooking.eventType, now);
  await publisher.publish(fromEntityManager(manager), CancelBooking, { envelope: commandEnvelope(CancelBooking.eventType, bookingId, caller, now), bookingId, reason });
  return row;
}
