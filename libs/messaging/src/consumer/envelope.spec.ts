import { envelopeIdsOf, InvalidEnvelopeError } from './envelope';

const EVENT_ID = '0b8f5f8e-52cf-4f7e-9a0b-3f4b3c1d2e10';

describe('envelope ids', () => {
  it('come from the value’s envelope first, then from the headers', () => {
    const ids = envelopeIdsOf({ envelope: { eventId: EVENT_ID.toUpperCase(), eventType: 'BookingHeld', correlationId: 'b-1', causationId: null } }, { 'causation-id': Buffer.from('c-0') }, 'X');
    expect(ids).toEqual({ eventId: EVENT_ID, eventType: 'BookingHeld', correlationId: 'b-1', causationId: 'c-0' });
    expect(envelopeIdsOf({}, { 'event-id': Buffer.from(EVENT_ID) }, 'PaymentFailed').eventType).toBe('PaymentFailed');
  });

  it('refuse a message without a UUID event id (nothing to dedup on)', () => {
    expect(() => envelopeIdsOf({ amount: 1 }, {}, 'X')).toThrow(InvalidEnvelopeError);
    expect(() => envelopeIdsOf({ envelope: { eventId: 'not-a-uuid' } }, {}, 'X')).toThrow(/not a UUID/);
  });
});
