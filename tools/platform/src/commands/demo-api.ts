import { randomUUID } from 'node:crypto';
import { createApiClient, type ApiClient } from '@txn/api-client';
import { PLATFORM_SERVICES, readStaffSigningJwk, serviceApiPort, type PlatformConfig } from '@txn/infra-local';
import { mintStaffToken } from './token';

// The demo's way in: the public API, as a merchant's backend uses it. A platform admin (a local
// staff token, as `./platform token` mints) makes sure the demo merchant exists and gives the demo
// a developer key; every booking, completion and cancellation then goes through the gateway with
// its own Idempotency-Key.

const DEMO_KEY_NAME = 'platform-demo';
const ADMIN_TOKEN_TTL_S = 600;

export class DemoApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoApiError';
  }
}

/** The API port is fixed per instance (the spec's), not moved by platform.json. */
export function gatewayUrl(): string {
  const spec = PLATFORM_SERVICES.find((candidate) => candidate.name === 'api-gateway');
  const port = spec === undefined ? undefined : serviceApiPort(spec);
  if (port === undefined) throw new DemoApiError('no api-gateway in the platform');
  return `http://127.0.0.1:${port}`;
}

function problemText(status: number, error: unknown): string {
  return `${status} ${JSON.stringify(error).slice(0, 300)}`;
}

/** A developer key of the demo merchant (created with the merchant if need be), as a client. */
export async function demoMerchantClient(config: PlatformConfig, merchantId: string): Promise<ApiClient> {
  const baseUrl = gatewayUrl();
  const token = await mintStaffToken(readStaffSigningJwk(config.stateDir), { roles: ['platform-admin'], subject: 'platform-demo', ttl_s: ADMIN_TOKEN_TTL_S }, new Date());
  const admin = createApiClient(baseUrl, token);
  const merchant = await admin.POST('/v1/merchants', { body: { id: merchantId, name: 'Demo merchant', defaultCurrency: 'EUR' } });
  // 409: an earlier demo made it.
  if (merchant.response.status !== 201 && merchant.response.status !== 409) throw new DemoApiError(`creating the demo merchant: ${problemText(merchant.response.status, merchant.error)}`);
  // A developer key: books, completes and cancels. (An owner key asked for by staff needs a second
  // person's approval: four eyes.)
  const key = await admin.POST('/v1/api-keys', { body: { name: DEMO_KEY_NAME, role: 'developer' }, headers: { 'Txn-Merchant': merchantId } });
  if (key.data === undefined || !('key' in key.data)) throw new DemoApiError(`creating the demo's API key: ${problemText(key.response.status, key.error ?? key.data)}`);
  return createApiClient(baseUrl, key.data.key);
}

export interface DemoBookingRequest {
  readonly resourceId: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly customerId: string;
  /** Where the customer's emails go (Mailpit's web UI shows them locally). */
  readonly customerEmail: string;
}

/** POST /v1/bookings: 202 with the booking as REQUESTED; the id is the gateway's. */
export async function requestBookingThroughApi(client: ApiClient, request: DemoBookingRequest): Promise<string> {
  const answer = await client.POST('/v1/bookings', {
    params: { header: { 'Idempotency-Key': `demo-${randomUUID()}` } },
    body: {
      resourceId: request.resourceId,
      slot: { startsAt: request.startsAt.toISOString(), endsAt: request.endsAt.toISOString() },
      price: { amountMinor: Number(request.amountMinor), currency: request.currency },
      customerId: request.customerId,
      customerEmail: request.customerEmail,
    },
  });
  if (answer.response.status !== 202 || answer.data === undefined) throw new DemoApiError(`POST /v1/bookings: ${problemText(answer.response.status, answer.error)}`);
  return answer.data.id;
}

export async function completeBookingThroughApi(client: ApiClient, bookingId: string): Promise<void> {
  const answer = await client.POST('/v1/bookings/{id}/complete', { params: { path: { id: bookingId }, header: { 'Idempotency-Key': `demo-complete-${bookingId}` } }, body: { reason: 'SERVICE_DELIVERED' } });
  if (answer.response.status !== 202) throw new DemoApiError(`POST /v1/bookings/${bookingId}/complete: ${problemText(answer.response.status, answer.error)}`);
}

export async function cancelBookingThroughApi(client: ApiClient, bookingId: string, reason: string): Promise<void> {
  const answer = await client.POST('/v1/bookings/{id}/cancel', { params: { path: { id: bookingId }, header: { 'Idempotency-Key': `demo-cancel-${bookingId}` } }, body: { reason } });
  if (answer.response.status !== 202) throw new DemoApiError(`POST /v1/bookings/${bookingId}/cancel: ${problemText(answer.response.status, answer.error)}`);
}

const RESOURCE_WAIT_MS = 30_000;
const RESOURCE_POLL_MS = 200;

/** POST /v1/resources, then wait until booking has registered it (bookings may only name a registered resource). */
export async function registerResourceThroughApi(client: ApiClient, resourceId: string, name: string): Promise<void> {
  const answer = await client.POST('/v1/resources', { body: { resourceId, name } });
  if (answer.response.status !== 202) throw new DemoApiError(`POST /v1/resources: ${problemText(answer.response.status, answer.error)}`);
  const deadline = Date.now() + RESOURCE_WAIT_MS;
  while (Date.now() < deadline) {
    const read = await client.GET('/v1/resources/{resourceId}', { params: { path: { resourceId } } });
    if (read.data?.status === 'REGISTERED') return;
    await new Promise((resolve) => setTimeout(resolve, RESOURCE_POLL_MS));
  }
  throw new DemoApiError(`resource ${resourceId} not REGISTERED by booking within ${RESOURCE_WAIT_MS / 1000} s`);
}
