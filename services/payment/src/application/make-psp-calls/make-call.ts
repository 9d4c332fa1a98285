import type { PaymentDecision, PspCall } from '@txn/payment-domain';
import type { IntentContext } from '@txn/domain-kernel';
import { recordAuthorizationResult, recordCaptureResult, recordRefundResult, recordVoidResult } from '@txn/payment-domain';
import { authorizationResult, captureResult, refundResult, voidResult, type InvalidRequest } from '../psp-answers';
import type { AuthorizeRequest, PaymentServiceProvider } from '../psp-port';
import type { StoredPayment } from '../ports';

/** What the PSP's answer decides, as a function of the payment at the moment it is recorded. */
export type Recorder = (stored: StoredPayment, ctx: IntentContext) => PaymentDecision;

export function authorizeRequestOf(stored: StoredPayment, idempotencyKey: string): AuthorizeRequest {
  const { payment } = stored;
  return { paymentId: payment.paymentId, bookingId: payment.bookingId, tenantId: payment.tenantId, amount: payment.amount, paymentMethod: stored.paymentMethod, idempotencyKey };
}

function intentIdFor(stored: StoredPayment, call: PspCall): string {
  const id = call.pspPaymentIntentId ?? stored.payment.pspPaymentIntentId;
  if (id === null) throw new Error(`payment ${stored.payment.paymentId}: ${call.operation} without a PSP payment intent`);
  return id;
}

/**
 * Makes one PSP call with its stored idempotency key and turns the answer into the domain's
 * record…Result, to apply in the next transaction; or the PSP's refusal of a malformed request.
 */
export async function makeCall(psp: PaymentServiceProvider, stored: StoredPayment, call: PspCall): Promise<Recorder | InvalidRequest> {
  switch (call.operation) {
    case 'AUTHORIZE': {
      const result = authorizationResult(await psp.authorize(authorizeRequestOf(stored, call.idempotencyKey)));
      return result.kind === 'invalid_request' ? result : (current, ctx) => recordAuthorizationResult(current.payment, result, ctx);
    }
    case 'CAPTURE': {
      const result = captureResult(await psp.capture(intentIdFor(stored, call), call.amount, call.idempotencyKey));
      return result.kind === 'invalid_request' ? result : (current, ctx) => recordCaptureResult(current.payment, result, ctx);
    }
    case 'VOID': {
      const result = voidResult(await psp.cancel(intentIdFor(stored, call), call.idempotencyKey));
      return result.kind === 'invalid_request' ? result : (current, ctx) => recordVoidResult(current.payment, result, ctx);
    }
    case 'REFUND': {
      const refundId = call.refundId;
      if (refundId === null) throw new Error(`payment ${stored.payment.paymentId}: REFUND call ${call.idempotencyKey} without a refund id`);
      const result = refundResult(await psp.refund(intentIdFor(stored, call), call.amount, refundId, call.idempotencyKey));
      return result.kind === 'invalid_request' ? result : (current, ctx) => recordRefundResult(current.payment, refundId, result, ctx);
    }
  }
}
