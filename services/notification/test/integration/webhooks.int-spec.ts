import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import Stripe from 'stripe';
import { BookingCancelled, BookingConfirmed, BookingHeld, WebhookEndpointChanged, type Envelope } from '@txn/contracts';
import { WITHHELD } from '@txn/audit-domain';
import { webhookEndpointSecret } from '@txn/notification-domain';
import { startSuiteService, suiteResources, suiteSender, type SuiteSender } from '@txn/service-harness';
import { Cleanups, collectEvents, testEnvironment, waitFor, type SuiteDatabase } from '@txn/testing';
import { DELIVERED_TOPICS } from '../../src/application/deliverable-events';
import { listDeliveries, replayDeliveries } from '../../src/delivery-log';
import { notificationService } from '../../src/service';
import { DEFAULT_NOTIFICATION_SETTINGS, type NotificationSettings } from '../../src/settings';
import { postWebhook, RESPONSE_EXCERPT_BYTES } from '../../src/webhook-http/webhook-sender';
import { startReceiver, type Receiver } from './receiver';

// The notification service in-process on the real PostgreSQL, Kafka and registry — two instances
// in one consumer group on one database, as `PLATFORM_INSTANCES=2` runs it — delivering to a real
// HTTP receiver on loopback that fails, hangs, answers slowly and recovers as each test says.
// Every delivery the receiver gets is checked with Stripe's own signature verifier (the stripe SDK).

const STEP_TIMEOUT_MS = 30_000;
const SIGNING_KEY = `test-signing-key-${randomUUID()}`;
const EMAIL = 'ada.webhook@example.com';
const SETTINGS: NotificationSettings = {
  ...DEFAULT_NOTIFICATION_SETTINGS,
  webhookSigningKey: SIGNING_KEY,
  retryBase_ms: 150,
  retryMax_ms: 600,
  retryHorizon_ms: 120_000,
  attemptTimeout_ms: 700,
  disableAfter_ms: 2_000,
  deliveryPoll_ms: 50,
  allowLoopbackWebhooks: true,
};

function envelope(eventType: string, tenantId: string, aggregateId: string, version: bigint, actor: Envelope['actor'] = { type: 'SERVICE', id: 'booking' }): Envelope {
  return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'booking', aggregateId, aggregateVersion: version, correlationId: aggregateId, causationId: null, actor, tenantId };
}

const slot = { resourceId: 'room-1', startsAt: new Date('2027-01-10T10:00:00.000Z'), endsAt: new Date('2027-01-10T11:00:00.000Z') };
const price = { amountMinor: 12_000n, currency: 'EUR' };

const bookingEvents = (tenantId: string, bookingId: string) => ({
  held: { envelope: envelope('BookingHeld', tenantId, bookingId, 1n), bookingId, statusBefore: null, statusAfter: 'HELD', reason: 'REQUESTED', customerId: 'customer-1', customerEmail: EMAIL, slot, price, holdExpiresAt: new Date(Date.now() + 600_000) } satisfies BookingHeld,
  confirmed: { envelope: envelope('BookingConfirmed', tenantId, bookingId, 2n), bookingId, statusBefore: 'HELD', statusAfter: 'CONFIRMED', reason: 'PAYMENT_AUTHORIZED', paymentId: randomUUID(), authorizedAmount: price } satisfies BookingConfirmed,
  cancelled: { envelope: envelope('BookingCancelled', tenantId, bookingId, 3n), bookingId, statusBefore: 'CONFIRMED', statusAfter: 'CANCELLED', reason: 'CUSTOMER_REQUEST', paymentId: null, refundAmount: null, slot } satisfies BookingCancelled,
});

interface Delivered {
  readonly id: string;
  readonly type: string;
  readonly object: { readonly type: string; readonly id: string; readonly version: string };
  readonly data: Record<string, unknown>;
}

describe('merchant webhooks (notification in-process; real PostgreSQL, Kafka, registry; a real receiver on loopback)', () => {
  const cleanups = new Cleanups();
  let database: SuiteDatabase;
  let pool: Pool;
  let sender: SuiteSender;
  let receiver: Receiver;
  const published: { eventType: string; value: Record<string, unknown> }[] = [];
  const versions = new Map<string, bigint>();

  beforeAll(async () => {
    const environment = testEnvironment();
    const resources = await suiteResources('notification', [...DELIVERED_TOPICS, 'notification.events.v1'], 3, cleanups);
    database = await resources.scope.database('notification');
    receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    // Two instances: the lease and the attempt log's key must keep them from delivering one event twice or out of order.
    for (let instance = 0; instance < 2; instance += 1) {
      await startSuiteService({
        service: 'notification',
        database,
        secret: resources.secret,
        readSettings: () => ({}),
        definition: () => notificationService(SETTINGS),
        topicOverrides: resources.topicOf,
        consumerGroup: resources.scope.groupId('notification'),
        cleanups,
      });
    }
    pool = new Pool({ ...database, max: 2 });
    cleanups.push(() => pool.end());
    sender = await suiteSender('notification-test', resources.topicOf, cleanups);
    const reader = await collectEvents({
      brokers: environment.kafka.brokers,
      clientId: 'notification-test-reader',
      groupId: resources.scope.groupId('reader'),
      topics: [resources.topicOf['notification.events.v1']],
      codec: sender.codec,
      collect: ({ eventType, value }) => published.push({ eventType, value: value as Record<string, unknown> }),
    });
    cleanups.push(() => reader.stop());
  }, 90_000);

  afterAll(() => cleanups.runAll());

  /** The gateway's WebhookEndpointChanged for an endpoint, in version order (the gateway stamps its time). */
  async function endpointChange(merchantId: string, endpointId: string, url: string, change: 'CREATED' | 'DISABLED' | 'ENABLED', status: 'ENABLED' | 'DISABLED', eventTypes: readonly string[] = ['*']): Promise<void> {
    const version = (versions.get(endpointId) ?? 0n) + 1n;
    versions.set(endpointId, version);
    const event: WebhookEndpointChanged = {
      envelope: { ...envelope('WebhookEndpointChanged', merchantId, merchantId, version, { type: 'API_KEY', id: 'key_owner' }), producer: 'api-gateway' },
      endpointId,
      merchantId,
      change,
      url,
      eventTypes: [...eventTypes],
      status,
      secretVersion: 1,
      previousSecretValidUntil: null,
      changedBy: 'api_key:key_owner',
    };
    await sender.send(WebhookEndpointChanged, event, merchantId);
    await waitFor(`endpoint ${endpointId} at version ${version}`, async () => ((await pool.query('SELECT 1 FROM webhook_endpoints WHERE endpoint_id = $1 AND version = $2', [endpointId, version.toString()])).rowCount === 1 ? true : undefined), STEP_TIMEOUT_MS);
  }

  async function sendBooking(tenantId: string, bookingId: string, which: readonly ('held' | 'confirmed' | 'cancelled')[]): Promise<string[]> {
    const events = bookingEvents(tenantId, bookingId);
    const ids: string[] = [];
    for (const name of which) {
      const event = events[name];
      const contract = name === 'held' ? BookingHeld : name === 'confirmed' ? BookingConfirmed : BookingCancelled;
      await sender.send(contract as typeof BookingHeld, event as BookingHeld, bookingId);
      ids.push(event.envelope.eventId);
    }
    return ids;
  }

  /** The 2xx-answered requests of a path, each checked with Stripe's verifier under the endpoint's derived secret. */
  const acknowledged = (path: string, endpointId: string): Delivered[] =>
    receiver.requests
      .filter((request, index) => request.path === path && answeredOk(path, index))
      .map((request) => {
        const header = request.headers['txn-signature'];
        if (typeof header !== 'string') throw new Error('a delivery without Txn-Signature');
        expect(Stripe.webhooks.signature?.verifyHeader(request.body, header, webhookEndpointSecret(SIGNING_KEY, endpointId, 1), 300)).toBe(true);
        const delivered = JSON.parse(request.body) as Delivered;
        expect(request.headers['txn-event-id']).toBe(delivered.id);
        return delivered;
      });
  const okIndexes = new Map<string, Set<number>>();
  const answeredOk = (path: string, index: number): boolean => okIndexes.get(path)?.has(index) ?? false;

  const attemptsOf = async (eventId: string): Promise<{ outcome: string; status_code: number | null }[]> =>
    (await pool.query<{ outcome: string; status_code: number | null }>('SELECT a.outcome, a.status_code FROM webhook_delivery_attempts a JOIN webhook_deliveries d USING (delivery_id) WHERE d.event_id = $1 ORDER BY a.attempt', [eventId])).rows;

  const deliveredIds = async (endpointId: string): Promise<string[]> =>
    (await pool.query<{ event_id: string }>("SELECT event_id FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'SUCCEEDED' ORDER BY delivered_at", [endpointId])).rows.map((row) => row.event_id);

  it('delivers each event once, in order, to a receiver that fails, times out, answers slowly, then recovers; every attempt in the log; signed as Stripe signs', async () => {
    const merchant = `merchant-${randomUUID().slice(0, 8)}`;
    const endpointId = randomUUID();
    const path = `/flaky-${endpointId}`;
    // Request 1: 500. Request 2: never answers (the attempt times out). Request 3: answers, slowly (below the timeout). Then well.
    receiver.script(path, [{ status: 500, body: 'boom' }, 'hang', { status: 200, delay_ms: 400 }], { status: 204 });
    okIndexes.set(path, new Set());
    await endpointChange(merchant, endpointId, `${receiver.baseUrl}${path}`, 'CREATED', 'ENABLED');
    const bookingId = randomUUID();
    const eventIds = await sendBooking(merchant, bookingId, ['held', 'confirmed', 'cancelled']);

    await waitFor('the three events delivered', async () => ((await deliveredIds(endpointId)).length === 3 ? true : undefined), STEP_TIMEOUT_MS);
    const toPath = receiver.requests.map((request, index) => ({ request, index })).filter(({ request }) => request.path === path);
    // Requests 3 onwards were answered 2xx (the script); the first two were not.
    for (const { index } of toPath.slice(2)) okIndexes.get(path)?.add(index);
    const received = acknowledged(path, endpointId);
    expect(received.map((delivery) => delivery.id)).toEqual(eventIds);
    expect(received.map((delivery) => [delivery.type, delivery.object.version])).toEqual([['BookingHeld', '1'], ['BookingConfirmed', '2'], ['BookingCancelled', '3']]);
    expect(received[0]).toMatchObject({ object: { type: 'booking', id: bookingId }, data: { customerEmail: WITHHELD, price: { amountMinor: '12000', currency: 'EUR' } } });
    expect(receiver.requests.some((request) => request.body.includes(EMAIL))).toBe(false);
    expect(await attemptsOf(eventIds[0] ?? '')).toEqual([{ outcome: 'HTTP_ERROR', status_code: 500 }, { outcome: 'TIMEOUT', status_code: null }, { outcome: 'SUCCEEDED', status_code: 200 }]);
    // The endpoint had been failing: the recovered notice is on notification.events.v1.
    await waitFor('WebhookEndpointRecovered', () => published.find((event) => event.eventType === 'WebhookEndpointRecovered' && event.value['endpointId'] === endpointId), STEP_TIMEOUT_MS);
  }, 60_000);

  it('disables an endpoint that fails for the whole period; what arrives meanwhile waits, and is delivered in order once the merchant enables it again', async () => {
    const merchant = `merchant-${randomUUID().slice(0, 8)}`;
    const endpointId = randomUUID();
    const path = `/down-${endpointId}`;
    const url = `${receiver.baseUrl}${path}`;
    receiver.script(path, [], { status: 503 });
    await endpointChange(merchant, endpointId, url, 'CREATED', 'ENABLED');
    const bookingId = randomUUID();
    const [first] = await sendBooking(merchant, bookingId, ['held']);
    const disabled = await waitFor('WebhookEndpointAutoDisabled', () => published.find((event) => event.eventType === 'WebhookEndpointAutoDisabled' && event.value['endpointId'] === endpointId), STEP_TIMEOUT_MS);
    expect(disabled.value).toMatchObject({ merchantId: merchant, heldDeliveries: 1n, lastError: 'HTTP 503' });
    const attemptsWhenDisabled = (await attemptsOf(first ?? '')).length;
    expect(attemptsWhenDisabled).toBeGreaterThanOrEqual(2);

    // While it is off: two more events, no attempt at all.
    const later = await sendBooking(merchant, bookingId, ['confirmed', 'cancelled']);
    await waitFor('the later events queued', async () => ((await pool.query("SELECT 1 FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'PENDING'", [endpointId])).rowCount === 3 ? true : undefined), STEP_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await attemptsOf(first ?? '')).length).toBe(attemptsWhenDisabled);

    // The gateway marks it DISABLED on reading the event; the merchant fixes the receiver and enables it.
    receiver.script(path, [], { status: 200 });
    okIndexes.set(path, new Set());
    await endpointChange(merchant, endpointId, url, 'DISABLED', 'DISABLED');
    const sentBefore = receiver.requests.length;
    await endpointChange(merchant, endpointId, url, 'ENABLED', 'ENABLED');
    await waitFor('the held events delivered', async () => ((await deliveredIds(endpointId)).length === 3 ? true : undefined), STEP_TIMEOUT_MS);
    receiver.requests.forEach((request, index) => {
      if (request.path === path && index >= sentBefore) okIndexes.get(path)?.add(index);
    });
    expect(acknowledged(path, endpointId).map((delivery) => delivery.id)).toEqual([first, ...later]);
  }, 60_000);

  it('delivers to each of a merchant\'s endpoints only the types it chose; the log filters by endpoint, type, status and time; a replay since a point in time sends again, same ids, in order', async () => {
    const merchant = `merchant-${randomUUID().slice(0, 8)}`;
    const [all, confirmations] = [randomUUID(), randomUUID()];
    const [allPath, confirmationsPath] = [`/all-${all}`, `/confirmations-${confirmations}`];
    receiver.script(allPath, [], { status: 200 });
    receiver.script(confirmationsPath, [], { status: 200 });
    await endpointChange(merchant, all, `${receiver.baseUrl}${allPath}`, 'CREATED', 'ENABLED');
    await endpointChange(merchant, confirmations, `${receiver.baseUrl}${confirmationsPath}`, 'CREATED', 'ENABLED', ['BookingConfirmed']);
    const since = new Date();
    const eventIds = await sendBooking(merchant, randomUUID(), ['held', 'confirmed', 'cancelled']);
    await waitFor('both endpoints served', async () => ((await deliveredIds(all)).length === 3 && (await deliveredIds(confirmations)).length === 1 ? true : undefined), STEP_TIMEOUT_MS);
    const bodiesTo = (path: string): Delivered[] => receiver.requests.filter((request) => request.path === path).map((request) => JSON.parse(request.body) as Delivered);
    expect(bodiesTo(confirmationsPath).map((delivery) => delivery.type)).toEqual(['BookingConfirmed']);
    expect(bodiesTo(allPath).map((delivery) => delivery.id)).toEqual(eventIds);

    expect((await listDeliveries(pool, { endpointId: all, limit: 10 })).map((delivery) => delivery.event_type)).toEqual(['BookingCancelled', 'BookingConfirmed', 'BookingHeld']);
    expect((await listDeliveries(pool, { merchantId: merchant, eventType: 'BookingConfirmed', status: 'SUCCEEDED', limit: 10 })).map((delivery) => delivery.endpoint_id).sort()).toEqual([all, confirmations].sort());
    expect(await listDeliveries(pool, { merchantId: merchant, since: new Date(Date.now() + 60_000), limit: 10 })).toEqual([]);
    const [logged] = await listDeliveries(pool, { endpointId: confirmations, limit: 1 });
    expect(logged?.attempt_log).toEqual([expect.objectContaining({ attempt: 1, outcome: 'SUCCEEDED', status_code: 200, response_excerpt: 'ok', latency_ms: expect.any(Number) })]);

    // Replay everything of one endpoint since a point in time: the same three events again, same ids, in order.
    expect(await replayDeliveries(pool, { endpointId: all, since })).toBe(3);
    await waitFor('the replay delivered', () => (bodiesTo(allPath).length === 6 ? true : undefined), STEP_TIMEOUT_MS);
    expect(bodiesTo(allPath).map((delivery) => delivery.id)).toEqual([...eventIds, ...eventIds]);
    expect(bodiesTo(confirmationsPath)).toHaveLength(1);
  }, 60_000);

  it('refuses private and metadata addresses without connecting, follows no redirect, and reads a large answer only up to its bound', async () => {
    const merchant = `merchant-${randomUUID().slice(0, 8)}`;
    const metadata = randomUUID();
    await endpointChange(merchant, metadata, 'https://169.254.169.254/latest/meta-data', 'CREATED', 'ENABLED');
    const [eventId] = await sendBooking(merchant, randomUUID(), ['held']);
    const [attempt] = await waitFor('the refused attempt', async () => {
      const attempts = await attemptsOf(eventId ?? '');
      return attempts.length > 0 ? attempts : undefined;
    }, STEP_TIMEOUT_MS);
    expect(attempt).toEqual({ outcome: 'ADDRESS_REFUSED', status_code: null });

    // A name that resolves to loopback, with loopback not allowed (production): refused at connect time, nothing reaches the receiver.
    const guarded = `/guarded-${randomUUID()}`;
    receiver.script(guarded, [], { status: 200 });
    const port = new URL(receiver.baseUrl).port;
    const byName = await postWebhook(`http://localhost:${port}${guarded}`, '{}', {}, { timeout_ms: 2_000, allowLoopback: false });
    expect(byName.outcome).toBe('ADDRESS_REFUSED');
    expect(receiver.requests.some((request) => request.path === guarded)).toBe(false);

    const redirect = `/redirect-${randomUUID()}`;
    const target = `/target-${randomUUID()}`;
    receiver.script(redirect, [], { status: 302, headers: { location: `${receiver.baseUrl}${target}` } });
    receiver.script(target, [], { status: 200 });
    expect(await postWebhook(`${receiver.baseUrl}${redirect}`, '{}', {}, { timeout_ms: 2_000, allowLoopback: true })).toMatchObject({ outcome: 'HTTP_ERROR', statusCode: 302 });
    expect(receiver.requests.some((request) => request.path === target)).toBe(false);

    const large = `/large-${randomUUID()}`;
    receiver.script(large, [], { status: 200, body: 'x'.repeat(1_000_000) });
    const answered = await postWebhook(`${receiver.baseUrl}${large}`, '{}', {}, { timeout_ms: 2_000, allowLoopback: true });
    expect(answered.outcome).toBe('SUCCEEDED');
    expect(answered.responseExcerpt?.length).toBe(RESPONSE_EXCERPT_BYTES);
  }, 60_000);
});
