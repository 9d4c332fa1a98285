import { randomUUID } from 'node:crypto';
import { EVENT_TYPES, type AvroRecordSchema, type BookingHeld } from '@txn/contracts';

// The events the contract suite sends: the real generated BookingHeld, plus one evolution of it
// (a field added with a default, the only kind of change BACKWARD_TRANSITIVE lets a producer make).

export const BOOKING_HELD = EVENT_TYPES.BookingHeld;

/** BookingHeld v2: v1 plus an optional promotion code (null by default). */
export const BOOKING_HELD_V2_SCHEMA: AvroRecordSchema = {
  ...BOOKING_HELD.schema,
  fields: [...BOOKING_HELD.schema.fields, { name: 'promoCode', type: ['null', 'string'], default: null, doc: 'Contract-suite evolution.' }],
};

export type BookingHeldV2 = BookingHeld & { readonly promoCode: string | null };

/** What the suite wrote, to compare with what the consumer applied. */
export interface WrittenEvent {
  readonly eventId: string;
  readonly bookingId: string;
  readonly version: number;
  /** Present when written with the v2 schema. */
  readonly promoCode?: string | null;
}

/** One event to write: the value and the writer schema it is encoded with. */
export interface PlannedEvent {
  readonly value: BookingHeld | BookingHeldV2;
  readonly schema: AvroRecordSchema;
  readonly written: WrittenEvent;
}

const HOLD_MS = 15 * 60_000;
const SLOT_MS = 60 * 60_000;

export function bookingHeld(bookingId: string, version: number, promoCode?: string | null): PlannedEvent {
  const eventId = randomUUID();
  const now = new Date();
  const value: BookingHeld = {
    envelope: {
      eventId,
      eventType: 'BookingHeld',
      occurredAt: now,
      producer: 'backbone-contract',
      aggregateId: bookingId,
      aggregateVersion: BigInt(version),
      correlationId: bookingId,
      causationId: null,
      actor: { type: 'SERVICE', id: 'backbone-contract' },
      tenantId: 'merchant-contract',
    },
    bookingId,
    statusBefore: null,
    statusAfter: 'HELD',
    reason: 'REQUESTED',
    customerId: 'customer-1',
    customerEmail: null,
    slot: { resourceId: 'room-1', startsAt: now, endsAt: new Date(now.getTime() + SLOT_MS) },
    price: { amountMinor: 12_345n, currency: 'EUR' },
    holdExpiresAt: new Date(now.getTime() + HOLD_MS),
  };
  if (promoCode === undefined) return { value, schema: BOOKING_HELD.schema, written: { eventId, bookingId, version } };
  return { value: { ...value, promoCode }, schema: BOOKING_HELD_V2_SCHEMA, written: { eventId, bookingId, version, promoCode } };
}

export function bookingIds(count: number): string[] {
  return Array.from({ length: count }, () => randomUUID());
}

/**
 * Versions `from..to` of every booking, interleaved (round r holds version r of each booking),
 * cut into transactions of `perTransaction` events.
 */
export function interleavedTransactions(bookings: readonly string[], from: number, to: number, perTransaction: number, make = bookingHeld): PlannedEvent[][] {
  const events: PlannedEvent[] = [];
  for (let version = from; version <= to; version += 1) for (const booking of bookings) events.push(make(booking, version));
  const transactions: PlannedEvent[][] = [];
  for (let start = 0; start < events.length; start += perTransaction) transactions.push(events.slice(start, start + perTransaction));
  return transactions;
}
