import type { PaymentDecision, PspCall } from '@txn/payment-domain';
import type { IntentContext } from '@txn/domain-kernel';
import { mayCreateAuthorization, recordAuthorizationResult, recordCaptureResult, recordRefundResult, recordVoidResult } from '@txn/payment-domain';
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

/** What an AUTHORIZE call records when the create window closed before it could be sent (decision 0022). */
export const CREATE_WINDOW_CLOSED = 'PSP_CREATE_WINDOW_CLOSED';

/**
 * Makes one PSP call with its stored idempotency key and turns the answer into the domain's
 * record…Result, to apply in the next transaction; or the PSP's refusal of a malformed request.
 * An authorization is created only inside its window (payment-domain's mayCreateAuthorization,
 * judged at `now`, the moment of sending): past it the key may be gone, so nothing is sent and the
 * outcome is unknown, which the outcome poller settles by searching, never by creating.
 */
export async function makeCall(psp: PaymentServiceProvider, stored: StoredPayment, call: PspCall, now: Date): Promise<Recorder | InvalidRequest> {
  switch (call.operation) {
    case 'AUTHORIZE': {
      if (!mayCreateAuthorization(stored.payment, now)) {
        return (current, ctx) => recordAuthorizationResult(current.payment, { kind: 'unknown', cause: CREATE_WINDOW_CLOSED, pspPaymentIntentId: null }, ctx);
      }
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
