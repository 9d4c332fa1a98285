import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { verifyTrail } from '@txn/audit';
import { verifyLedger } from '@txn/ledger';
import { waitFor } from '@txn/testing';
import { findings, tableText, topicBytes } from './support/canary-scan';
import type { GatewayUnderTest } from './support/gateway-beside';
import { startPlatformInProcess, type PlatformInProcess } from './support/platform-in-process';
import { HOUR_MS, PRICE_MINOR, SAGA_TEST_TIMEOUT_MS, STEP_TIMEOUT_MS } from './support/saga-figures';
import { startWebhookReceiver } from './support/webhook-receiver';

// Personal data and merchant webhooks through a whole saga: the gateway, booking, payment,
// ledger, audit and notification in one process on the real Kafka, PostgreSQL, registry and
// localstripe. A customer's email — with a card-like string in it — enters once, over HTTP; a
// merchant's webhook endpoint registered through the API receives the saga signed with the secret
// the API showed; afterwards the canary is in clear in no topic record, no table row and no log
// line; then the customer is erased, and the audit chain still verifies and the ledger balances.

const START_TIMEOUT_MS = 240_000;
const CARD = '4111111111111111';

describe('personal data and webhooks through a saga (gateway, booking, payment, ledger, audit, notification in-process; real infrastructure)', () => {
  let platform: PlatformInProcess;
  let gateway: GatewayUnderTest;
  let owner: string;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const canary = randomUUID().slice(0, 8);
  const email = `${CARD}.canary-${canary}@example.com`;
  const customerId = `cus-canary-${canary}`;
  let bookingId = '';
  let endpointSecret = '';

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${gateway.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${owner}`, ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    platform = await startPlatformInProcess({ paymentMethodOf: () => 'pm_card_visa', gateway: true, audit: true, notification: true });
    if (platform.gateway === undefined) throw new Error('the platform started without the gateway');
    gateway = platform.gateway;
    owner = await gateway.keyFor(platform.tenantId, 'owner');
    receiver = await startWebhookReceiver();
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await receiver?.close();
    await platform?.close();
  });

  it(
    "delivers the saga to a webhook endpoint registered through the API, each event signed with the secret the API showed once (checked with Stripe's own verifier)",
    async () => {
      const created = await call('POST', '/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['*'] });
      expect(created.status).toBe(201);
      endpointSecret = String(created.body['secret']);
      const resourceId = `room-${canary}`;
      await platform.booking.pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [platform.tenantId, resourceId, 'Canary room']);
      const startsAt = new Date(Date.now() + 9 * 24 * HOUR_MS);
      const booked = await call('POST', '/v1/bookings', { resourceId, slot: { startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + HOUR_MS).toISOString() }, price: { amountMinor: Number(PRICE_MINOR), currency: 'EUR' }, customerId, customerEmail: email });
      expect(booked.status).toBe(202);
      bookingId = String(booked.body['id']);
      await platform.waitForEvent(bookingId, 'PaymentCaptured', SAGA_TEST_TIMEOUT_MS / 2);

      const deliveredTypes = (): string[] => receiver.received.map((delivery) => JSON.parse(delivery.body) as { type: string; data: Record<string, unknown> }).filter((event) => event.data['bookingId'] === bookingId).map((event) => event.type);
      await waitFor('the saga at the receiver', () => (['BookingHeld', 'PaymentAuthorized', 'BookingConfirmed', 'PaymentCaptured'].every((type) => deliveredTypes().includes(type)) ? true : undefined), STEP_TIMEOUT_MS);
      for (const delivery of receiver.received) {
        expect(Stripe.webhooks.signature?.verifyHeader(delivery.body, String(delivery.headers['txn-signature']), endpointSecret, 300)).toBe(true);
      }
    },
    SAGA_TEST_TIMEOUT_MS,
  );

  it(
    'leaves the email and the card-like string in clear in no topic record, no table row and no log line — while the customer id (not personal) is found, so the scan sees the data',
    async () => {
      // Let every consumer finish with the saga: the audit's records, notification's copy of the key and the booking.
      await waitFor('notification has the key and the booking', async () => {
        const keys = await platform.notification?.pool.query('SELECT 1 FROM customer_data_keys WHERE customer_id = $1', [customerId]);
        const bookings = await platform.notification?.pool.query('SELECT 1 FROM customer_bookings WHERE booking_id = $1', [bookingId]);
        return keys?.rowCount === 1 && bookings?.rowCount === 1 ? true : undefined;
      }, STEP_TIMEOUT_MS);
      await waitFor('the audit has the capture', async () => ((await platform.audit?.pool.query("SELECT 1 FROM audit_records WHERE correlation_id = $1 AND action = 'PaymentCaptured'", [bookingId]))?.rowCount === 1 ? true : undefined), STEP_TIMEOUT_MS);

      const services = { booking: platform.booking, payment: platform.payment, ledger: platform.ledger, 'api-gateway': gateway, audit: platform.audit, notification: platform.notification };
      const tables = new Map<string, string>();
      const logs = new Map<string, string>();
      for (const [name, service] of Object.entries(services)) {
        if (service === undefined) throw new Error(`${name} is not running`);
        for (const [table, text] of await tableText(service.pool)) tables.set(`${name}.${table}`, text);
        logs.set(name, JSON.stringify(service.logs));
      }
      const topics = await topicBytes(platform.topicNames, `test.e2e-canary-${canary}`);
      const haystacks = { topics, tables, logs };

      expect(findings([email, CARD, `canary-${canary}@`], haystacks)).toEqual([]);
      // The positive control: what is not personal is there to be found, and the email is there sealed.
      expect(findings([customerId], haystacks)).toEqual(expect.arrayContaining([`${customerId} in topic records`, `${customerId} in table booking.bookings`]));
      const [stored] = (await platform.booking.pool.query<{ customer_email: string }>('SELECT customer_email FROM bookings WHERE booking_id = $1', [bookingId])).rows;
      expect(stored?.customer_email).toMatch(/^pd1\./);
    },
    SAGA_TEST_TIMEOUT_MS,
  );

  it(
    "erases the customer: every copy of the key destroyed, the erasure in the audit trail, the audit chain still verifying and the ledger still balancing; the sealed email stays, unreadable",
    async () => {
      const erased = await call('POST', `/v1/customers/${customerId}/erasure`, { reason: 'GDPR art. 17 (canary)' });
      expect(erased).toMatchObject({ status: 202, body: { status: 'ERASED' } });
      const keyId = String(erased.body['keyId']);
      await waitFor("notification's copy destroyed", async () => ((await platform.notification?.pool.query('SELECT 1 FROM customer_data_keys WHERE key_id = $1 AND wrapped_key IS NULL', [keyId]))?.rowCount === 1 ? true : undefined), STEP_TIMEOUT_MS);
      expect((await gateway.pool.query('SELECT wrapped_key FROM customer_data_keys WHERE key_id = $1', [keyId])).rows).toEqual([{ wrapped_key: null }]);
      const audit = platform.audit;
      if (audit === undefined) throw new Error('this suite starts the audit service');
      await waitFor('the erasure in the audit trail', async () => ((await audit.pool.query("SELECT 1 FROM audit_records WHERE action = 'CustomerErased' AND tenant_id = $1", [platform.tenantId])).rowCount === 1 ? true : undefined), STEP_TIMEOUT_MS);

      const trail = await verifyTrail(audit.pool, new Map(), platform.tenantId);
      expect(trail.verdicts.filter((verdict) => !verdict.ok)).toEqual([]);
      const books = await verifyLedger(platform.ledger.pool);
      expect(books.findings).toEqual([]);
      const [stored] = (await platform.booking.pool.query<{ customer_email: string }>('SELECT customer_email FROM bookings WHERE booking_id = $1', [bookingId])).rows;
      expect(stored?.customer_email).toMatch(new RegExp(`^pd1\\.${keyId}\\.`));
    },
    SAGA_TEST_TIMEOUT_MS,
  );
});
