import type { Delivery, DeliveryStore } from '../ports';
import { pspEventReceived } from './psp-event-received';
import { verifyStripeSignature, type RejectionReason, type WebhookSecret } from './signature';
import { isPublishedType, MalformedPspEvent, normaliseStripeEvent } from './stripe-event';

export interface ReceiveWebhookDependencies {
  readonly store: DeliveryStore;
  readonly secrets: readonly WebhookSecret[];
  readonly tolerance_s: number;
}

export type Receipt =
  | { readonly kind: 'stored'; readonly pspEventId: string; readonly pspEventType: string; readonly first: boolean; readonly published: boolean; readonly secretId: string }
  | { readonly kind: 'rejected'; readonly reason: RejectionReason };

/**
 * A webhook delivery: verified on its raw bytes, read as an event, then stored with its outbox
 * row atomically — and only then acknowledged by the caller. A delivery that fails
 * verification stores nothing (an attacker's flood must not fill the database). A database
 * failure throws: the caller answers 5xx and the PSP delivers again.
 */
export async function receiveWebhook(delivery: Delivery, signature: string | undefined, dependencies: ReceiveWebhookDependencies): Promise<Receipt> {
  const verification = verifyStripeSignature(delivery.raw, signature, dependencies.secrets, dependencies.tolerance_s, delivery.receivedAt.getTime());
  if (!verification.verified) return { kind: 'rejected', reason: verification.reason };
  let event;
  try {
    event = normaliseStripeEvent(verification.event);
  } catch (error) {
    if (error instanceof MalformedPspEvent) return { kind: 'rejected', reason: 'malformed_body' };
    throw error;
  }
  const source = { kind: 'VERIFIED', secretId: verification.secretId } as const;
  const publish = isPublishedType(event.pspEventType) ? pspEventReceived(delivery, event, source) : null;
  const stored = await dependencies.store.store({ delivery, event, source, publish });
  return { kind: 'stored', pspEventId: event.pspEventId, pspEventType: event.pspEventType, first: stored.first, published: stored.first && publish !== null, secretId: verification.secretId };
}
