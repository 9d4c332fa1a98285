import { randomUUID } from 'node:crypto';
import type { BookingHeld } from '@txn/contracts';
import { envelope, FakePayments, NOW, PAYMENT_SERVICE, TX } from '../../../test/unit/fake-payments';
import { paymentIdOf } from '../payment-id';
import { createPayment } from './create-payment';

function held(overrides: Partial<BookingHeld> = {}): BookingHeld {
  const bookingId = randomUUID();
  return {
    envelope: envelope('BookingHeld', bookingId),
    bookingId,
    statusBefore: null,
    statusAfter: 'HELD',
    reason: 'REQUESTED',
    customerId: 'customer-1',
    customerEmail: null,
    slot: { resourceId: 'room-1', startsAt: NOW, endsAt: NOW },
    price: { amountMinor: 12_000n, currency: 'EUR' },
    holdExpiresAt: NOW,
    ...overrides,
  } as BookingHeld;
}

const deps = (payments: FakePayments) => ({ payments, now: NOW, actor: PAYMENT_SERVICE, paymentMethodOf: () => 'pm_card_visa' });

describe('a booking held', () => {
  it('creates its one payment (id derived from the booking) and asks for the authorization after commit', async () => {
    const payments = new FakePayments();
    const fact = held();
    const decided = await createPayment(TX, fact, deps(payments));
    expect(decided.decision).toMatchObject({ outcome: 'applied', state: { paymentId: paymentIdOf(fact.bookingId), status: 'PENDING' }, calls: [{ operation: 'AUTHORIZE' }] });
    expect(decided.write).toEqual({ before: undefined, extras: { customerId: 'customer-1', paymentMethod: 'pm_card_visa' } });
    expect(decided.subject).toMatchObject({ aggregateId: paymentIdOf(fact.bookingId), correlationId: fact.bookingId, status: null });
  });

  it('is stale when the payment exists already: a redelivered BookingHeld never creates a second one', async () => {
    const payments = new FakePayments();
    const fact = held();
    const first = await createPayment(TX, fact, deps(payments));
    if (first.decision.outcome !== 'applied') throw new Error('not created');
    payments.put(first.decision.state);
    expect((await createPayment(TX, fact, deps(payments))).decision).toMatchObject({ outcome: 'stale', stale: 'PAYMENT_ALREADY_CREATED' });
  });

  it('refuses a price that is not a positive amount of a supported currency', async () => {
    const payments = new FakePayments();
    expect((await createPayment(TX, held({ price: { amountMinor: 0n, currency: 'EUR' } }), deps(payments))).decision).toMatchObject({ outcome: 'refused', refused: 'INVALID_PRICE' });
    expect((await createPayment(TX, held({ price: { amountMinor: 100n, currency: 'XXX' } }), deps(payments))).decision).toMatchObject({ outcome: 'refused', refused: 'INVALID_PRICE' });
  });
});
