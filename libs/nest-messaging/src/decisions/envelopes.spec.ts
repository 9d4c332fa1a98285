import { BookingConfirmed } from '@txn/contracts';
import type { DomainEvent } from '@txn/domain-kernel';
import { toPendingEvent, UnknownEventTypeError } from './envelopes';

const BOOKING = '7b0ad2a4-1f0e-4a43-9d6c-3f6c8f1d2e10';
const PAYMENT = '0c4a0e36-7a4f-4f54-8f0a-1d1f7f0a9b2c';
const CAUSE = 'a3d2c1b0-9e8f-4a7b-8c6d-5e4f3a2b1c0d';

const confirmed: DomainEvent<'BookingConfirmed', Omit<BookingConfirmed, 'envelope'>> = {
  eventType: 'BookingConfirmed',
  aggregateId: BOOKING,
  aggregateVersion: 2n,
  occurredAt: new Date('2026-12-02T10:00:00Z'),
  actor: { type: 'SERVICE', id: 'booking' },
  payload: { bookingId: BOOKING, statusBefore: 'HELD', statusAfter: 'CONFIRMED', reason: 'PAYMENT_AUTHORIZED', paymentId: PAYMENT, authorizedAmount: { amountMinor: 1_000n, currency: 'EUR' } },
};
const facts = { producer: 'booking', tenantId: 'merchant-1', correlationId: BOOKING, causationId: CAUSE };

describe('envelopes of domain events', () => {
  it('become the generated contract\'s record: aggregate, version, time and actor from the event; tenant, saga and cause from the decision', () => {
    const pending = toPendingEvent(confirmed, facts);
    expect(pending.contract).toBe(BookingConfirmed);
    expect(pending.event.envelope).toMatchObject({
      eventType: 'BookingConfirmed',
      aggregateId: BOOKING,
      aggregateVersion: 2n,
      occurredAt: confirmed.occurredAt,
      actor: confirmed.actor,
      producer: 'booking',
      tenantId: 'merchant-1',
      correlationId: BOOKING,
      causationId: CAUSE,
    });
    // A value the contract itself accepts: what the outbox will encode.
    expect(() => BookingConfirmed.encode(pending.event as BookingConfirmed)).not.toThrow();
  });

  it('get a fresh event id each time, unless the decision named the event', () => {
    const first = toPendingEvent(confirmed, facts).event.envelope.eventId;
    expect(toPendingEvent(confirmed, facts).event.envelope.eventId).not.toBe(first);
    expect(toPendingEvent({ ...confirmed, eventId: CAUSE }, facts).event.envelope.eventId).toBe(CAUSE);
  });

  it('refuse an event type that no generated contract has', () => {
    expect(() => toPendingEvent({ ...confirmed, eventType: 'BookingTeleported' }, facts)).toThrow(UnknownEventTypeError);
  });
});
