import fc from 'fast-check';
import { paymentIdOf } from './payment-id';

describe('paymentIdOf', () => {
  it('is a version-5 UUID, the same for the same booking and different for different bookings', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (a, b) => {
        const id = paymentIdOf(a);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(paymentIdOf(a.toUpperCase())).toBe(id);
        if (a.toLowerCase() !== b.toLowerCase()) expect(paymentIdOf(b)).not.toBe(id);
      }),
    );
  });

  it('refuses a booking id that is not a UUID', () => {
    expect(() => paymentIdOf('booking_1')).toThrow(RangeError);
  });
});
