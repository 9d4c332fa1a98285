import fc from 'fast-check';
import { MESSAGE_HEADERS } from '@txn/messaging';
import { takeWithinBytes, toRecord, type OutboxRow } from './batch';

const row = (overrides: Partial<OutboxRow> = {}): OutboxRow => ({
  id: '1',
  eventId: '00000000-0000-4000-8000-000000000001',
  topic: 'booking.events.v1',
  key: 'booking-1',
  eventType: 'BookingHeld',
  value: Buffer.from([0, 0, 0, 0, 1]),
  headers: { [MESSAGE_HEADERS.correlationId]: 'booking-1' },
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: null,
  ...overrides,
});

describe('takeWithinBytes', () => {
  it('returns a non-empty prefix within the byte bound (or a single row)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 2_000 }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 10_000 }), (sizes, maxBytes) => {
        const rows = sizes.map((size) => ({ value: Buffer.alloc(size) }));
        const taken = takeWithinBytes(rows, maxBytes);
        const bytes = taken.reduce((sum, r) => sum + r.value.length, 0);
        const isPrefix = taken.every((r, i) => r === rows[i]);
        return taken.length >= 1 && isPrefix && (taken.length === 1 || bytes <= maxBytes);
      }),
    );
  });
});

describe('toRecord', () => {
  it('carries event id, event type, the caller headers and the publish span trace context', () => {
    const spanTrace = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01' };
    const record = toRecord(row(), spanTrace);
    expect(record).toMatchObject({ topic: 'booking.events.v1', key: 'booking-1' });
    expect(record.headers).toEqual({
      [MESSAGE_HEADERS.correlationId]: 'booking-1',
      [MESSAGE_HEADERS.eventId]: '00000000-0000-4000-8000-000000000001',
      [MESSAGE_HEADERS.eventType]: 'BookingHeld',
      [MESSAGE_HEADERS.traceparent]: spanTrace.traceparent,
    });
  });

  it('falls back to the stored trace context when no propagator injects one', () => {
    expect(toRecord(row(), {}).headers[MESSAGE_HEADERS.traceparent]).toBe(row().traceparent);
    expect(toRecord(row({ traceparent: null }), {}).headers).not.toHaveProperty(MESSAGE_HEADERS.traceparent);
  });
});
