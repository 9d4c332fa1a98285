import type { Counter, Histogram } from 'prom-client';
import { signatureHeader, SIGNATURE_HEADER, type RetryPolicy } from '@txn/notification-domain';
import type { IterationOutcome } from '@txn/service-kit';
import type { SqlTransaction, Transactions } from '@txn/sql';
import { deliveryAfterAttempt, healthAfterAttempt, type DeliveryNext, type HealthChange } from '../delivery-rules';
import { endpointSecrets } from '../endpoint-secrets';
import type { AttemptResult, DeliverableEndpoint, HeadDelivery, SendOptions, WebhookDeliveries, WebhookEndpoints, WebhookSender } from '../ports';

/** What the notification service tells the rest of the platform about delivery (notification.events.v1, through the outbox). */
export interface DeliveryAnnouncer {
  autoDisabled(tx: SqlTransaction, endpoint: DeliverableEndpoint, failingSince: Date, held: bigint, lastError: string | null): Promise<void>;
  recovered(tx: SqlTransaction, endpoint: DeliverableEndpoint, failingSince: Date, at: Date): Promise<void>;
  gaveUp(tx: SqlTransaction, endpoint: DeliverableEndpoint, delivery: HeadDelivery, attempts: number, lastError: string | null): Promise<void>;
}

export interface DeliveryDependencies {
  readonly transactions: Transactions;
  readonly endpoints: WebhookEndpoints;
  readonly deliveries: WebhookDeliveries;
  readonly instance: string;
  readonly signingKey: string;
  readonly policy: RetryPolicy;
  readonly disableAfter_ms: number;
  readonly concurrency: number;
  readonly send: WebhookSender;
  readonly sendOptions: SendOptions;
  readonly announcer: DeliveryAnnouncer;
  readonly clock: () => Date;
  readonly random: () => number;
  readonly attempts: Counter<'outcome'>;
  readonly latency: Histogram<'outcome'>;
}

/** Deliveries to one endpoint per lease, before it goes back for others to take (fairness between merchants). */
export const DELIVERIES_PER_LEASE = 20;

function leaseLength_ms(dependencies: DeliveryDependencies): number {
  return dependencies.sendOptions.timeout_ms + 30_000;
}

/** The headers of one attempt: the signature over this attempt's timestamp and the kept body, and the ids a receiver dedups and orders on. */
function attemptHeaders(endpoint: DeliverableEndpoint, delivery: HeadDelivery, dependencies: DeliveryDependencies, at: Date): Record<string, string> {
  const secrets = endpointSecrets(dependencies.signingKey, endpoint, at);
  return {
    'content-type': 'application/json',
    'user-agent': 'txn-notification/0.1 (+webhooks)',
    [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(secrets, Math.floor(at.getTime() / 1000), delivery.payload),
    'txn-event-id': delivery.eventId,
    'txn-event-type': delivery.eventType,
    'txn-delivery-id': delivery.deliveryId,
    'txn-delivery-attempt': String(delivery.attempts + 1),
  };
}

async function announce(tx: SqlTransaction, change: HealthChange, endpoint: DeliverableEndpoint, delivery: HeadDelivery, next: DeliveryNext, result: AttemptResult, at: Date, dependencies: DeliveryDependencies): Promise<void> {
  const failingSince = endpoint.health.failingSince;
  if (change === 'recovered' && failingSince !== null) await dependencies.announcer.recovered(tx, endpoint, failingSince, at);
  if (change === 'auto-disabled' && failingSince !== null) await dependencies.announcer.autoDisabled(tx, endpoint, failingSince, await dependencies.deliveries.pendingCount(tx, endpoint.endpointId), result.error);
  if (next.status === 'GAVE_UP') await dependencies.announcer.gaveUp(tx, endpoint, delivery, delivery.attempts + 1, result.error);
}

/** One attempt of the endpoint's head delivery; true when the next one may follow at once. */
async function attemptHead(endpointId: string, dependencies: DeliveryDependencies): Promise<boolean> {
  const lease_ms = leaseLength_ms(dependencies);
  const found = await dependencies.transactions(async (tx) => {
    const endpoint = await dependencies.endpoints.held(tx, endpointId, dependencies.instance, lease_ms);
    const head = endpoint === undefined ? undefined : await dependencies.deliveries.head(tx, endpointId);
    return endpoint === undefined || head === undefined || !head.due ? undefined : { endpoint, head };
  });
  if (found === undefined) return false;
  const { endpoint, head } = found;
  const startedAt = dependencies.clock();
  const result = await dependencies.send(endpoint.url, head.payload, attemptHeaders(endpoint, head, dependencies, startedAt), dependencies.sendOptions);
  dependencies.attempts.inc({ outcome: result.outcome });
  dependencies.latency.observe({ outcome: result.outcome }, result.latency_ms / 1000);
  const succeeded = result.outcome === 'SUCCEEDED';
  const next = deliveryAfterAttempt(head, result.outcome, startedAt, dependencies.policy, dependencies.random());
  const health = healthAfterAttempt(endpoint.health, succeeded, startedAt, dependencies.disableAfter_ms);
  return dependencies.transactions(async (tx) => {
    // A lost lease (this instance stalled past it) still logs the attempt: it happened.
    if (!(await dependencies.deliveries.recordAttempt(tx, head, result, startedAt, next, dependencies.instance))) return false;
    await dependencies.endpoints.recordHealth(tx, endpointId, health.health, succeeded, result.error);
    await announce(tx, health.change, endpoint, head, next, result, startedAt, dependencies);
    return succeeded || next.status === 'GAVE_UP';
  });
}

async function serveEndpoint(endpointId: string, dependencies: DeliveryDependencies): Promise<void> {
  try {
    for (let delivered = 0; delivered < DELIVERIES_PER_LEASE; delivered += 1) {
      if (!(await attemptHead(endpointId, dependencies))) break;
    }
  } finally {
    await dependencies.transactions((tx) => dependencies.endpoints.release(tx, endpointId, dependencies.instance));
  }
}

/**
 * One sender round: lease endpoints whose oldest pending delivery is due and serve each (one
 * delivery in flight per endpoint, oldest first, so a receiver sees an endpoint's events in order).
 */
export async function deliverDueWebhooks(dependencies: DeliveryDependencies): Promise<IterationOutcome> {
  const leased = await dependencies.transactions((tx) => dependencies.endpoints.leaseDue(tx, dependencies.instance, dependencies.concurrency, leaseLength_ms(dependencies)));
  const served = await Promise.allSettled(leased.map((endpointId) => serveEndpoint(endpointId, dependencies)));
  const failed = served.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return leased.length === dependencies.concurrency ? 'more-due' : 'caught-up';
}
