import type { Actor, BookingConfirmed } from '@txn/contracts';
import { onBookingConfirmed } from '@txn/payment-domain';
import type { SqlTransaction } from '@txn/sql';
import { decideOnPayment } from '../existing-payment';
import type { PaymentDecided } from '../payment-decided';
import type { Payments } from '../ports';

/** BookingConfirmed: capture what was authorized (the call is made after this commits). */
export function capturePayment(tx: SqlTransaction, fact: BookingConfirmed, deps: { readonly payments: Payments; readonly now: Date; readonly actor: Actor }): Promise<PaymentDecided> {
  return decideOnPayment(tx, fact, deps.payments, (payment) => onBookingConfirmed(payment, { now: deps.now, actor: deps.actor }));
}
