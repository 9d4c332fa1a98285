import { webhookEndpointSecret } from '@txn/notification-domain';
import type { DeliverableEndpoint } from './ports';

/**
 * The secrets an attempt is signed with: the current version, and during a rotation's overlap the
 * previous one too (a `v1=` each), so a receiver that has not switched yet still verifies.
 */
export function endpointSecrets(signingKey: string, endpoint: Pick<DeliverableEndpoint, 'endpointId' | 'secretVersion' | 'previousSecretValidUntil'>, at: Date): string[] {
  const current = webhookEndpointSecret(signingKey, endpoint.endpointId, endpoint.secretVersion);
  const overlap = endpoint.previousSecretValidUntil !== null && endpoint.previousSecretValidUntil.getTime() > at.getTime() && endpoint.secretVersion > 1;
  return overlap ? [current, webhookEndpointSecret(signingKey, endpoint.endpointId, endpoint.secretVersion - 1)] : [current];
}
