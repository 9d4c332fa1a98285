import { stale } from '@txn/domain-kernel';
import type { RefundPayment } from '@txn/contracts';
import { money } from '@txn/money';
import { requestRefund } from '@txn/payment-domain';
import type { SqlTransaction } from '@txn/sql';
import { decideOnPayment } from '../existing-payment';
import type { PaymentDecided } from '../payment-decided';
import type { Payments } from '../ports';

/**
 * RefundPayment (payment.commands.v1): a refund the merchant or staff asked for through the API.
 * The domain reserves it against what remains refundable under the payment's row lock, so
 * concurrent requests never together exceed the capture; a refusal is announced with
 * PaymentRefundRejected. The requester is the refund's actor: who asked is what an audit proves.
 * A command naming a payment that is not this booking's is a stale message, kept for a person.
 */
export function refundPayment(tx: SqlTransaction, command: RefundPayment, deps: { readonly payments: Payments; readonly now: Date }): Promise<PaymentDecided> {
  const request = { refundId: command.refundId, amount: money(command.amount.amountMinor, command.amount.currency), reason: command.reason };
  return decideOnPayment(tx, command, deps.payments, (payment) =>
    payment.paymentId === command.paymentId ? requestRefund(payment, request, { now: deps.now, actor: command.envelope.actor }) : stale(payment, 'PAYMENT_NOT_OF_BOOKING'),
  );
}
