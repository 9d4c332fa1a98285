import { createHmac } from 'node:crypto';

/**
 * Version N of a merchant endpoint's signing secret: HMAC-SHA256 of `<endpoint id>:<N>` under the
 * platform's webhook signing key (decision 0033). Derived rather than stored, so neither the
 * gateway (which shows it once) nor the notification service (which signs with it) keeps a secret.
 */
export function webhookEndpointSecret(signingKey: string, endpointId: string, version: number): string {
  return `whsec_${createHmac('sha256', signingKey).update(`${endpointId}:${version}`).digest('base64url')}`;
}
