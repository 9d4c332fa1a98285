import { PspEventReceived } from '@txn/contracts';
import { uuidV5 } from '@txn/domain-kernel';
import type { Delivery, EventSource } from '../ports';
import type { NormalisedPspEvent } from './stripe-event';

/** Our namespace for the envelope ids of PSP events: one PSP event is one platform event, however often it arrives. */
export const PSP_EVENT_ID_NAMESPACE = '3d0b7f5e-2c1a-4e8b-9f6d-5a4c3b2e1d0f';
const PRODUCER = 'webhook-ingress';
/** A PSP event about an object without our metadata names no merchant; payment raises it as a break. */
export const UNKNOWN_TENANT = 'unknown';

/**
 * The platform event for a PSP event. Its id is derived from the PSP's event id, so even a second
 * publication (a catch-up racing a delivery on another instance) is one event to every inbox.
 */
export function pspEventReceived(delivery: Delivery, event: NormalisedPspEvent, source: EventSource): PspEventReceived {
  return {
    envelope: {
      eventId: uuidV5(PSP_EVENT_ID_NAMESPACE, `${delivery.provider}:${event.pspEventId}`),
      eventType: PspEventReceived.eventType,
      occurredAt: delivery.receivedAt,
      producer: PRODUCER,
      aggregateId: event.pspObjectId,
      aggregateVersion: 1n,
      // Not part of a saga we know yet: payment correlates it by the payment id.
      correlationId: event.paymentId ?? event.pspObjectId,
      causationId: null,
      actor: { type: 'SYSTEM', id: `psp:${delivery.provider}` },
      tenantId: event.tenantId ?? UNKNOWN_TENANT,
    },
    provider: delivery.provider,
    pspEventId: event.pspEventId,
    pspEventType: event.pspEventType,
    pspObjectType: event.pspObjectType,
    pspObjectId: event.pspObjectId,
    pspCreatedAt: event.pspCreatedAt,
    livemode: event.livemode,
    verifiedWithSecretId: source.kind === 'VERIFIED' ? source.secretId : 'fetched:psp-api',
    pspPaymentIntentId: event.pspPaymentIntentId,
    pspChargeId: event.pspChargeId,
    pspRefundId: event.pspRefundId,
    paymentId: event.paymentId,
    pspStatus: event.pspStatus,
    amount: event.amount,
    failureCode: event.failureCode,
    rawPayload: delivery.raw.toString('utf8'),
  };
}
