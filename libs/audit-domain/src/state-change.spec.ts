import { WITHHELD } from './json-value';
import { stateChangeOf } from './state-change';

describe('an event read as a state change', () => {
  const held = {
    envelope: { eventId: 'e1' },
    bookingId: 'b1',
    statusBefore: null,
    statusAfter: 'HELD',
    reason: 'REQUESTED',
    customerId: 'c1',
    customerEmail: 'ada@example.com',
    price: { amountMinor: 12_000n, currency: 'EUR' },
    holdExpiresAt: new Date('2026-12-03T12:00:00.000Z'),
  };

  it('takes before, after and reason from the event and keeps the other fields as JSON, money as a decimal string', () => {
    expect(stateChangeOf(held, ['customerEmail'])).toEqual({
      statusBefore: null,
      statusAfter: 'HELD',
      reason: 'REQUESTED',
      changes: { bookingId: 'b1', customerId: 'c1', customerEmail: WITHHELD, price: { amountMinor: '12000', currency: 'EUR' }, holdExpiresAt: '2026-12-03T12:00:00.000Z' },
    });
  });

  it('withholds personal data wherever the contract marks it, and keeps an absent value absent', () => {
    const change = stateChangeOf({ ...held, customerEmail: null }, ['customerEmail']);
    expect(change.changes['customerEmail']).toBeNull();
    expect(JSON.stringify(stateChangeOf(held, ['customerEmail']))).not.toContain('ada@example.com');
  });

  it('uses the status an event type stands for when the event carries none', () => {
    expect(stateChangeOf({ envelope: {}, keyId: 'k1' }, [], { before: 'ACTIVE', after: 'REVOKED' })).toMatchObject({ statusBefore: 'ACTIVE', statusAfter: 'REVOKED', reason: null });
  });
});
