import { randomUUID } from 'node:crypto';
import type { BookingHeld } from '@txn/contracts';
import { envelope, FakePayments, NOW, PAYMENT_SERVICE, TX } from '../../../test/unit/fake-payments';
import { feeSchedule, feeTermsFor } from '@txn/payment-domain';
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

const SCHEDULE = feeSchedule('fs-test', 1_000, new Map([['merchant-own-rate', 250]]));
const deps = (payments: FakePayments) => ({ payments, now: NOW, actor: PAYMENT_SERVICE, paymentMethodOf: () => 'pm_card_visa', feeTermsOf: (tenantId: string) => feeTermsFor(SCHEDULE, tenantId) });

describe('a booking held', () => {
  it('creates its one payment (id derived from the booking) and asks for the authorization after commit', async () => {
    const payments = new FakePayments();
    const fact = held();
    const decided = await createPayment(TX, fact, deps(payments));
    expect(decided.decision).toMatchObject({ outcome: 'applied', state: { paymentId: paymentIdOf(fact.bookingId), status: 'PENDING' }, calls: [{ operation: 'AUTHORIZE' }] });
    expect(decided.write).toEqual({ before: undefined, extras: { customerId: 'customer-1', paymentMethod: 'pm_card_visa' } });
    expect(decided.subject).toMatchObject({ aggregateId: paymentIdOf(fact.bookingId), correlationId: fact.bookingId, status: null });
  });

  it("fixes the merchant's fee terms on the payment when it is created: the schedule's rate, the rule that chose it, its version", async () => {
    const own = await createPayment(TX, held({ envelope: { ...envelope('BookingHeld', randomUUID()), tenantId: 'merchant-own-rate' } }), deps(new FakePayments()));
    expect(own.decision).toMatchObject({ outcome: 'applied', state: { feeTerms: { bps: 250, rule: 'MERCHANT_RATE/HALF_UP', scheduleVersion: 'fs-test' } } });
    const other = await createPayment(TX, held(), deps(new FakePayments()));
    expect(other.decision).toMatchObject({ outcome: 'applied', state: { feeTerms: { bps: 1_000, rule: 'DEFAULT_RATE/HALF_UP', scheduleVersion: 'fs-test' } } });
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
