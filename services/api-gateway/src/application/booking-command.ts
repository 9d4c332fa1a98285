import type { EntityManager } from 'typeorm';
import { BookingViewEntity } from '../read-models/read-model.entities';
import { TERMINAL_BOOKING_STATUSES } from '../read-models/statuses';

/** The caller's merchant has no booking of that id (another merchant's looks the same: 404). */
export class BookingNotFoundError extends Error {
  constructor(readonly bookingId: string) {
    super(`There is no booking ${bookingId}.`);
    this.name = 'BookingNotFoundError';
  }
}

/** The booking has ended: no command changes it any more (409, naming its status). */
export class BookingEndedError extends Error {
  constructor(
    readonly bookingId: string,
    readonly currentStatus: string,
  ) {
    super(`The booking is ${currentStatus}: it can no longer be changed.`);
    this.name = 'BookingEndedError';
  }
}

/**
 * The booking a cancel or complete is about, locked for the command's transaction, noted with the
 * command. Any state but an ended one is booking's to judge: the read model may lag (a HELD row
 * may be CONFIRMED by now), and booking refuses what its state does not allow.
 */
export async function commandableBooking(manager: EntityManager, bookingId: string, command: string, now: Date): Promise<BookingViewEntity> {
  const row = await manager.findOne(BookingViewEntity, { where: { bookingId }, lock: { mode: 'pessimistic_write' } });
  if (row === null) throw new BookingNotFoundError(bookingId);
  if (TERMINAL_BOOKING_STATUSES.has(row.status)) throw new BookingEndedError(bookingId, row.status);
  await manager.update(BookingViewEntity, { merchantId: row.merchantId, bookingId }, { lastCommand: command, lastCommandAt: now });
  return { ...row, lastCommand: command, lastCommandAt: now };
}
