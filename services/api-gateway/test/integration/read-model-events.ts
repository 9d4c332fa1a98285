import { randomUUID } from 'node:crypto';
import type { Actor, BookingCancelled, BookingConfirmed, BookingHeld, Envelope, PaymentAuthorized, PaymentCaptured, PaymentDisputed, PaymentOutcomeUnknown } from '@txn/contracts';

// Booking's and payment's events as those services write them, for the read-model suites: each
// a fresh event id, the aggregate's version as given, the merchant as tenant.

const BOOKING_SERVICE: Actor = { type: 'SERVICE', id: 'booking' };
const PAYMENT_SERVICE: Actor = { type: 'SERVICE', id: 'payment' };
const HOUR_MS = 3_600_000;

export class ReadModelEvents {
  constructor(readonly tenantId: string) {}

  envelope(eventType: string, aggregateId: string, version: bigint, correlationId: string, actor: Actor): Envelope {
    return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'gateway-suite', aggregateId, aggregateVersion: version, correlationId, causationId: null, actor, tenantId: this.tenantId };
  }

  held(bookingId: string, options: { readonly version?: bigint; readonly startsAt?: Date; readonly amountMinor?: bigint } = {}): BookingHeld {
    const startsAt = options.startsAt ?? new Date(Date.now() + 24 * HOUR_MS);
    return {
      envelope: this.envelope('BookingHeld', bookingId, options.version ?? 1n, bookingId, BOOKING_SERVICE),
      bookingId,
      statusBefore: null,
      statusAfter: 'HELD',
      reason: 'REQUESTED',
      customerId: 'cus_suite',
      customerEmail: null,
      slot: { resourceId: 'room-1', startsAt, endsAt: new Date(startsAt.getTime() + HOUR_MS) },
      price: { amountMinor: options.amountMinor ?? 12_500n, currency: 'EUR' },
      holdExpiresAt: new Date(Date.now() + 15 * 60_000),
    };
  }

  confirmed(bookingId: string, paymentId: string, version = 2n): BookingConfirmed {
    return {
      envelope: this.envelope('BookingConfirmed', bookingId, version, bookingId, BOOKING_SERVICE),
      bookingId,
      statusBefore: 'HELD',
      statusAfter: 'CONFIRMED',
      reason: 'PAYMENT_AUTHORIZED',
      paymentId,
      authorizedAmount: { amountMinor: 12_500n, currency: 'EUR' },
    };
  }

  cancelled(bookingId: string, version: bigint): BookingCancelled {
    return {
      envelope: this.envelope('BookingCancelled', bookingId, version, bookingId, BOOKING_SERVICE),
      bookingId,
      statusBefore: 'HELD',
      statusAfter: 'CANCELLED',
      reason: 'CUSTOMER_REQUEST',
      paymentId: null,
      refundAmount: null,
      slot: this.held(bookingId).slot,
    };
  }

  authorized(paymentId: string, bookingId: string, version = 2n): PaymentAuthorized {
    return {
      envelope: this.envelope('PaymentAuthorized', paymentId, version, bookingId, PAYMENT_SERVICE),
      paymentId,
      bookingId,
      statusBefore: 'PENDING',
      statusAfter: 'AUTHORIZED',
      reason: 'PSP_RESPONSE',
      pspPaymentIntentId: 'pi_suite',
      pspIdempotencyKey: `pay_${paymentId}_authorize`,
      authorizedAmount: { amountMinor: 12_500n, currency: 'EUR' },
      authorizationExpiresAt: null,
      authorizedAt: null,
    };
  }

  captured(paymentId: string, bookingId: string, version = 3n): PaymentCaptured {
    return {
      envelope: this.envelope('PaymentCaptured', paymentId, version, bookingId, PAYMENT_SERVICE),
      paymentId,
      bookingId,
      statusBefore: 'AUTHORIZED',
      statusAfter: 'CAPTURED',
      reason: 'PSP_RESPONSE',
      pspPaymentIntentId: 'pi_suite',
      pspIdempotencyKey: `pay_${paymentId}_capture`,
      pspChargeId: 'ch_suite',
      capturedAmount: { amountMinor: 12_500n, currency: 'EUR' },
      platformFee: { amountMinor: 375n, currency: 'EUR' },
      feeBps: 300,
      feeRule: 'DEFAULT_RATE/HALF_UP',
      feeScheduleVersion: 'v1',
    };
  }

  outcomeUnknown(paymentId: string, bookingId: string, version: bigint): PaymentOutcomeUnknown {
    return {
      envelope: this.envelope('PaymentOutcomeUnknown', paymentId, version, bookingId, PAYMENT_SERVICE),
      paymentId,
      bookingId,
      statusBefore: 'AUTHORIZED',
      statusAfter: 'OUTCOME_UNKNOWN',
      reason: 'PSP_TIMEOUT',
      operation: 'CAPTURE',
      pspPaymentIntentId: 'pi_suite',
      pspIdempotencyKey: `pay_${paymentId}_capture`,
      amount: { amountMinor: 12_500n, currency: 'EUR' },
      resolveBy: new Date(Date.now() + 3_600_000),
    };
  }

  disputed(paymentId: string, bookingId: string, version: bigint): PaymentDisputed {
    return {
      envelope: this.envelope('PaymentDisputed', paymentId, version, bookingId, { type: 'SYSTEM', id: 'psp:stripe' }),
      paymentId,
      bookingId,
      statusBefore: 'CAPTURED',
      statusAfter: 'CAPTURED',
      reason: 'charge.dispute.created',
      pspDisputeId: 'dp_suite',
      pspPaymentIntentId: 'pi_suite',
      pspChargeId: 'ch_suite',
      disputedAmount: { amountMinor: 12_500n, currency: 'EUR' },
      disputeStatus: 'needs_response',
    };
  }
}
