import { type PaymentCaptured } from '@txn/contracts';
import { type SqlTransaction } from '@txn/sql';
import { refusal } from '../../domain/refusal';
import { captureToEscrow, releaseEscrow, takeReleaseRequest } from '../../persistence/escrow-repository';
import { entryPosted, escrowReleased, holdPosted, isRefusal, ledgerRejected, moneyOf, NOTHING_TO_DO, type LedgerEventDraft, type LedgerHandling } from '../ledger-events';

export const CAPTURE_REASON = 'PAYMENT_CAPTURED';

export interface CaptureDependencies {
  /** The merchant's platform fee in basis points (0..10 000); undefined when the merchant is unknown. */
  readonly feeBpsOf: (tenantId: string) => number | undefined;
}

/**
 * PaymentCaptured → the authorization hold is posted for the captured amount into escrow, split
 * into the merchant's share and the platform's fee at the merchant's rate. The payment service
 * computed the same fee (PaymentCaptured.platformFee); a difference means the two disagree on the
 * rate and is refused (PLATFORM_FEE_MISMATCH) rather than booked either way. A BookingCompleted
 * that arrived before this capture is applied right after it.
 */
export async function onPaymentCaptured(tx: SqlTransaction, event: PaymentCaptured, deps: CaptureDependencies): Promise<LedgerHandling> {
  const { envelope } = event;
  const rejectedEvent = { eventId: envelope.eventId, eventType: envelope.eventType, paymentId: event.paymentId, bookingId: event.bookingId, amount: event.capturedAmount };
  const captured = moneyOf(event.capturedAmount, 'capturedAmount');
  if (isRefusal(captured)) return ledgerRejected(rejectedEvent, captured);
  const platformFee = moneyOf(event.platformFee, 'platformFee');
  if (isRefusal(platformFee)) return ledgerRejected(rejectedEvent, platformFee);
  const feeBps = deps.feeBpsOf(envelope.tenantId);
  if (feeBps === undefined) return ledgerRejected(rejectedEvent, refusal('UNKNOWN_FEE_RATE', `no platform fee rate for merchant ${envelope.tenantId}`));

  const written = await captureToEscrow(tx, event.paymentId, {
    entryId: envelope.eventId,
    captured,
    feeBps,
    reason: CAPTURE_REASON,
    now: envelope.occurredAt,
    expectedPlatformFee: platformFee,
  });
  if (written.outcome === 'duplicate') return NOTHING_TO_DO.duplicate;
  if (written.outcome === 'rejected') return ledgerRejected(rejectedEvent, written.refusal);

  const { holdChange } = written.value;
  if (holdChange.entry === null) throw new Error(`capture of payment ${event.paymentId} journaled nothing`);
  const events: LedgerEventDraft[] = [holdPosted(holdChange.after, holdChange.entry), entryPosted(holdChange.entry)];
  const request = await takeReleaseRequest(tx, event.paymentId);
  if (request !== undefined) {
    const released = await releaseEscrow(tx, request);
    if (released.outcome === 'applied') {
      events.push(escrowReleased(released.value.release, released.value.escrow.version), entryPosted(released.value.release.entry));
    } else if (released.outcome === 'rejected') {
      const refusedRelease = { eventId: request.entryId, eventType: 'BookingCompleted', paymentId: request.paymentId, bookingId: request.bookingId, amount: null };
      events.push(...ledgerRejected(refusedRelease, released.refusal).events);
    } else {
      throw new Error(`deferred release of payment ${event.paymentId} came back ${released.outcome} right after the capture`);
    }
  }
  return { outcome: 'applied', events };
}
