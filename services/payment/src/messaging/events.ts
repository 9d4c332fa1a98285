import { randomUUID } from 'node:crypto';
import type { PaymentEvent } from '@txn/payment-domain';
import {
  PaymentAuthorized,
  PaymentCaptured,
  PaymentCaptureFailed,
  PaymentFailed,
  PaymentOutcomeUnknown,
  PaymentRefunded,
  PaymentRefundFailed,
  PaymentRequiresAction,
  PaymentVoided,
  type Envelope,
} from '@txn/contracts';
import type { PendingEvent } from '@txn/nest-messaging';

const CONTRACTS = { PaymentAuthorized, PaymentRequiresAction, PaymentFailed, PaymentOutcomeUnknown, PaymentCaptured, PaymentCaptureFailed, PaymentVoided, PaymentRefunded, PaymentRefundFailed } as const;

export interface EnvelopeFacts {
  readonly producer: string;
  readonly tenantId: string;
  readonly bookingId: string;
  /** The consumed event that caused the decision; null when a PSP answer or a query did. */
  readonly causationId: string | null;
}

/**
 * A payment event as the contract's record: keyed and aggregated by the payment, correlated by
 * the booking (the saga), a fresh event id; version, time and actor from the decision.
 */
export function toPendingEvent(event: PaymentEvent, paymentId: string, facts: EnvelopeFacts): PendingEvent {
  const envelope: Envelope = {
    eventId: randomUUID(),
    eventType: event.eventType,
    occurredAt: event.occurredAt,
    producer: facts.producer,
    aggregateId: paymentId,
    aggregateVersion: event.aggregateVersion,
    correlationId: facts.bookingId,
    causationId: facts.causationId,
    actor: event.actor,
    tenantId: facts.tenantId,
  };
  return { contract: CONTRACTS[event.eventType], event: { envelope, ...event.payload } } as PendingEvent;
}
