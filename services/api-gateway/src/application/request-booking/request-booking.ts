import { RequestBooking } from '@txn/contracts';
import type { EventPublisher } from '@txn/nest-messaging';
import { fromEntityManager } from '@txn/sql';
import type { EntityManager } from 'typeorm';
import { BookingViewEntity } from '../../read-models/read-model.entities';
import { commandEnvelope, type CommandCaller } from '../command-envelope';

export const DEFAULT_HOLD_SECONDS = 15 * 60;

export interface BookingRequest {
  /** Chosen by the gateway (so that an idempotent replay names the same booking). */
  readonly bookingId: string;
  /** The client's Idempotency-Key, or the booking id when it sent none. */
  readonly requestIdempotencyKey: string;
  readonly resourceId: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly price: { readonly amountMinor: bigint; readonly currency: string };
  readonly customerId: string;
  readonly customerEmail: string | null;
  readonly holdForSeconds: number;
}

/**
 * POST /v1/bookings: the REQUESTED row (version 0, so that a GET answers at once and booking's
 * BookingHeld, version 1, replaces it) and the RequestBooking command in the outbox, in one
 * transaction: both or neither.
 */
export async function requestBooking(manager: EntityManager, publisher: EventPublisher, caller: CommandCaller, request: BookingRequest, now: Date): Promise<BookingViewEntity> {
  const holdExpiresAt = new Date(now.getTime() + request.holdForSeconds * 1_000);
  const row = manager.create(BookingViewEntity, {
    merchantId: caller.merchantId,
    bookingId: request.bookingId,
    status: 'REQUESTED',
    resourceId: request.resourceId,
    startsAt: request.startsAt,
    endsAt: request.endsAt,
    priceMinor: request.price.amountMinor,
    currency: request.price.currency,
    customerId: request.customerId,
    holdExpiresAt,
    reason: 'REQUESTED',
    requestedBy: `${caller.actor.type}:${caller.actor.id}`,
    version: 0n,
    createdAt: now,
    updatedAt: now,
    appliedAt: now,
  });
  await manager.insert(BookingViewEntity, row);
  const command: RequestBooking = {
    envelope: commandEnvelope(RequestBooking.eventType, request.bookingId, caller, now),
    bookingId: request.bookingId,
    requestIdempotencyKey: request.requestIdempotencyKey,
    customerId: request.customerId,
    customerEmail: request.customerEmail,
    slot: { resourceId: request.resourceId, startsAt: request.startsAt, endsAt: request.endsAt },
    price: request.price,
    holdExpiresAt,
  };
  await publisher.publish(fromEntityManager(manager), RequestBooking, command);
  return (await manager.findOneBy(BookingViewEntity, { bookingId: request.bookingId })) ?? row;
}
