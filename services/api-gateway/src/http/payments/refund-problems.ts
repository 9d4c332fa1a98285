import { RefundRefusedError, type RefundRefusal } from '../../application/refund-payment/refund-payment';
import { ProblemException } from '../problem';

/** The API's refusals as problems, with the figures to act on. */
export function refundProblem(error: unknown): never {
  if (!(error instanceof RefundRefusedError)) throw error;
  const refusal: RefundRefusal = error.refusal;
  switch (refusal.kind) {
    case 'payment-not-found':
      throw ProblemException.of('not-found', `There is no payment ${refusal.paymentId}.`);
    case 'not-refundable':
      throw ProblemException.of('conflict', `The payment is ${refusal.currentStatus}: only a captured payment can be refunded.`, { paymentId: refusal.paymentId, currentStatus: refusal.currentStatus });
    case 'currency-mismatch':
      throw new ProblemException({
        ...ProblemException.of('validation-failed', `The payment is in ${refusal.currency}.`, { paymentId: refusal.paymentId, currency: refusal.currency }).problem,
        errors: [{ pointer: '/amount/currency', detail: `must be the payment's currency, ${refusal.currency}` }],
      });
    case 'exceeds-refundable': {
      const { amountMinor, currency } = refusal.refundable;
      throw ProblemException.of('refund-exceeds-refundable', `At most ${amountMinor} ${currency} (minor units) remains refundable.`, {
        paymentId: refusal.paymentId,
        refundable: { amountMinor: Number(amountMinor), currency },
      });
    }
  }
}
