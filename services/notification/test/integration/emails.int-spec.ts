import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { BookingCancelled, BookingConfirmed, BookingHeld, CustomerDataKeyIssued, CustomerErased, PaymentRefunded, type Envelope } from '@txn/contracts';
import { customerAad, dataKeyAad, newDataKey, newMasterKeyLine, parseMasterKeyring, sealField, wrapDataKey } from '@txn/personal-data';
import { startSuiteService, suiteResources, suiteSender, type SuiteSender } from '@txn/service-harness';
import { Cleanups, collectEvents, testEnvironment, waitFor, type SuiteDatabase } from '@txn/testing';
import { DELIVERED_TOPICS } from '../../src/application/deliverable-events';
import { notificationService } from '../../src/service';
import { DEFAULT_NOTIFICATION_SETTINGS } from '../../src/settings';

// Customers' emails from the notification service in-process (real PostgreSQL, Kafka, registry)
// to the real SMTP server the platform runs (Mailpit), read back through Mailpit's own API.

const STEP_TIMEOUT_MS = 30_000;
const KEYRING = parseMasterKeyring(newMasterKeyLine('k1'));

interface MailpitSummary {
  readonly ID: string;
  readonly MessageID: string;
  readonly Subject: string;
  readonly To: readonly { readonly Address: string }[];
}

interface MailpitMessage {
  readonly Subject: string;
  readonly Text: string;
  readonly HTML: string;
  readonly From: { readonly Address: string };
}

async function mailpit<T>(path: string): Promise<T> {
  const response = await fetch(`${testEnvironment().mailpit.apiUrl}${path}`);
  if (response.status !== 200) throw new Error(`Mailpit ${path} answered ${response.status}`);
  return (await response.json()) as T;
}


function envelope(eventType: string, tenantId: string, aggregateId: string, version: bigint, correlationId = aggregateId): Envelope {
  return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'booking', aggregateId, aggregateVersion: version, correlationId, causationId: null, actor: { type: 'SERVICE', id: 'booking' }, tenantId };
}

const slot = { resourceId: 'sea-view-room', startsAt: new Date('2027-03-10T10:00:00.000Z'), endsAt: new Date('2027-03-10T11:00:00.000Z') };
const price = { amountMinor: 12_345n, currency: 'EUR' };

const held = (tenantId: string, bookingId: string, email: string | null): BookingHeld => ({ envelope: envelope('BookingHeld', tenantId, bookingId, 1n), bookingId, statusBefore: null, statusAfter: 'HELD', reason: 'REQUESTED', customerId: 'customer-7', customerEmail: email, slot, price, holdExpiresAt: new Date(Date.now() + 600_000) });
const confirmed = (tenantId: string, bookingId: string): BookingConfirmed => ({ envelope: envelope('BookingConfirmed', tenantId, bookingId, 2n), bookingId, statusBefore: 'HELD', statusAfter: 'CONFIRMED', reason: 'PAYMENT_AUTHORIZED', paymentId: randomUUID(), authorizedAmount: price });
const cancelled = (tenantId: string, bookingId: string): BookingCancelled => ({ envelope: envelope('BookingCancelled', tenantId, bookingId, 3n), bookingId, statusBefore: 'CONFIRMED', statusAfter: 'CANCELLED', reason: 'CUSTOMER_REQUEST', paymentId: null, refundAmount: null, slot });
function refunded(tenantId: string, bookingId: string): PaymentRefunded {
  const paymentId = randomUUID();
  return {
    envelope: { ...envelope('PaymentRefunded', tenantId, paymentId, 3n, bookingId), producer: 'payment' },
    paymentId,
    bookingId,
    statusBefore: 'CAPTURED',
    statusAfter: 'PARTIALLY_REFUNDED',
    reason: 'BOOKING_CANCELLED_AFTER_CAPTURE',
    refundId: randomUUID(),
    pspPaymentIntentId: 'pi_test',
    pspRefundId: 're_test',
    pspIdempotencyKey: 'refund-key',
    refundedAmount: { amountMinor: 4_938n, currency: 'EUR' },
    totalRefunded: { amountMinor: 4_938n, currency: 'EUR' },
  };
}

describe("customers' emails (notification in-process; real PostgreSQL, Kafka, registry; Mailpit as the SMTP server)", () => {
  const cleanups = new Cleanups();
  let database: SuiteDatabase;
  let pool: Pool;
  let sender: SuiteSender;
  const published: Record<string, unknown>[] = [];
  const inboxOf = async (address: string): Promise<MailpitSummary[]> => {
    const { messages } = await mailpit<{ messages: MailpitSummary[] }>(`/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=50`);
    for (const message of messages) if (!sentHere.includes(message.ID)) sentHere.push(message.ID);
    return messages;
  };

  beforeAll(async () => {
    const environment = testEnvironment();
    const resources = await suiteResources('notification-emails', [...DELIVERED_TOPICS, 'notification.events.v1'], 3, cleanups);
    database = await resources.scope.database('notification');
    await startSuiteService({
      service: 'notification',
      database,
      secret: resources.secret,
      readSettings: () => ({}),
      definition: () => notificationService({ ...DEFAULT_NOTIFICATION_SETTINGS, webhookSigningKey: 'emails-suite-key', smtpUrl: environment.mailpit.smtpUrl, personalDataKeyring: KEYRING, retryBase_ms: 100, retryMax_ms: 400, deliveryPoll_ms: 50 }),
      topicOverrides: resources.topicOf,
      consumerGroup: resources.scope.groupId('notification'),
      cleanups,
    });
    pool = new Pool({ ...database, max: 2 });
    cleanups.push(() => pool.end());
    sender = await suiteSender('notification-emails-test', resources.topicOf, cleanups);
    const reader = await collectEvents({ brokers: environment.kafka.brokers, clientId: 'notification-emails-reader', groupId: resources.scope.groupId('reader'), topics: [resources.topicOf['notification.events.v1']], codec: sender.codec, collect: ({ value }) => published.push(value as Record<string, unknown>) });
    cleanups.push(() => reader.stop());
  }, 90_000);

  // The platform's Mailpit is shared with a person's demo: the suite removes what it sent.
  const sentHere: string[] = [];
  afterAll(async () => {
    if (sentHere.length > 0) await fetch(`${testEnvironment().mailpit.apiUrl}/api/v1/messages`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ IDs: sentHere }) }).catch(() => undefined);
    await cleanups.runAll();
  });

  /** What the gateway does: a data key for the customer, announced wrapped on customer.keys.v1, and the address sealed under it. */
  async function sealedAddress(tenant: string, customerId: string, address: string): Promise<{ sealed: string; keyId: string }> {
    const keyId = randomUUID();
    const dataKey = newDataKey();
    const wrapped = wrapDataKey(KEYRING, dataKey, dataKeyAad(tenant, customerId, keyId));
    const issued: CustomerDataKeyIssued = { envelope: { ...envelope('CustomerDataKeyIssued', tenant, `${tenant}:${customerId}`, 1n), producer: 'api-gateway' }, customerId, keyId, masterKeyId: wrapped.masterKeyId, wrappedKey: wrapped.wrapped };
    await sender.send(CustomerDataKeyIssued, issued, `${tenant}:${customerId}`);
    return { sealed: sealField(dataKey, keyId, address, customerAad(tenant, customerId)), keyId };
  }

  it('sends one email per moment of the booking (held, confirmed, cancelled, refunded) with its facts, each once, the address on no topic', async () => {
    const tenant = `merchant-${randomUUID().slice(0, 8)}`;
    const bookingId = randomUUID();
    const address = `guest-${randomUUID().slice(0, 8)}@example.com`;
    const { sealed } = await sealedAddress(tenant, 'customer-7', address);
    const first = held(tenant, bookingId, sealed);
    await sender.send(BookingHeld, first, bookingId);
    await sender.send(BookingHeld, first, bookingId); // read twice: still one email
    await sender.send(BookingConfirmed, confirmed(tenant, bookingId), bookingId);
    await sender.send(BookingCancelled, cancelled(tenant, bookingId), bookingId);
    const refund = refunded(tenant, bookingId);
    await sender.send(PaymentRefunded, refund, refund.paymentId);

    const inbox = await waitFor('four emails at Mailpit', async () => {
      const messages = await inboxOf(address);
      return messages.length >= 4 ? messages : undefined;
    }, STEP_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const settled = await inboxOf(address);
    expect(settled).toHaveLength(4);
    expect(new Set(settled.map((message) => message.MessageID)).size).toBe(4);
    const subjects = inbox.map((message) => message.Subject).sort();
    expect(subjects).toEqual([
      `Your booking ${bookingId} is cancelled`,
      `Your booking of sea-view-room is confirmed (${bookingId})`,
      `We refunded 49.38 EUR for booking ${bookingId}`,
      `sea-view-room is held for you (booking ${bookingId})`,
    ].sort());
    const confirmation = inbox.find((message) => message.Subject.includes('is confirmed'));
    const body = await mailpit<MailpitMessage>(`/api/v1/message/${confirmation?.ID ?? ''}`);
    expect(body.Text).toContain('2027-03-10 10:00 UTC');
    expect(body.Text).toContain('123.45 EUR');
    expect(body.HTML).toContain('<strong>sea-view-room</strong>');
    expect(body.From.Address).toBe('bookings@txn.local');

    await waitFor('EmailSent for each', () => (published.filter((event) => event['bookingId'] === bookingId).length === 4 ? true : undefined), STEP_TIMEOUT_MS);
    expect(JSON.stringify(published, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))).not.toContain(address);
  }, 60_000);

  it('holds a refund email read before its booking until the booking arrives, and sends nothing for a booking without an address', async () => {
    const tenant = `merchant-${randomUUID().slice(0, 8)}`;
    const bookingId = randomUUID();
    const address = `late-${randomUUID().slice(0, 8)}@example.com`;
    const refund = refunded(tenant, bookingId);
    await sender.send(PaymentRefunded, refund, refund.paymentId);
    await waitFor('the refund email waiting', async () => ((await pool.query("SELECT 1 FROM email_messages WHERE booking_id = $1 AND status = 'PENDING' AND attempts >= 1", [bookingId])).rowCount === 1 ? true : undefined), STEP_TIMEOUT_MS);
    await sender.send(BookingHeld, held(tenant, bookingId, (await sealedAddress(tenant, 'customer-7', address)).sealed), bookingId);
    const inbox = await waitFor('both emails', async () => {
      const messages = await inboxOf(address);
      return messages.length >= 2 ? messages : undefined;
    }, STEP_TIMEOUT_MS);
    expect(inbox.map((message) => message.Subject).sort()).toEqual([`We refunded 49.38 EUR for booking ${bookingId}`, `sea-view-room is held for you (booking ${bookingId})`]);

    const silent = randomUUID();
    await sender.send(BookingHeld, held(tenant, silent, null), silent);
    await sender.send(BookingConfirmed, confirmed(tenant, silent), silent);
    await waitFor('the booking without an address recorded', async () => ((await pool.query('SELECT 1 FROM customer_bookings WHERE booking_id = $1', [silent])).rowCount === 1 ? true : undefined), STEP_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await pool.query('SELECT 1 FROM email_messages WHERE booking_id = $1', [silent])).rowCount).toBe(0);
  }, 60_000);

  it('keeps only the sealed address; after the customer is erased their copy of the key is gone and a waiting email is given up, never sent', async () => {
    const tenant = `merchant-${randomUUID().slice(0, 8)}`;
    const address = `erased-${randomUUID().slice(0, 8)}@example.com`;
    const { sealed, keyId } = await sealedAddress(tenant, 'customer-9', address);
    const erased: CustomerErased = { envelope: { ...envelope('CustomerErased', tenant, `${tenant}:customer-9`, 2n), producer: 'api-gateway' }, customerId: 'customer-9', keyId, reason: 'GDPR art. 17', erasedBy: 'api_key:owner' };
    await sender.send(CustomerErased, erased, `${tenant}:customer-9`);
    await waitFor('the key copy destroyed', async () => ((await pool.query('SELECT 1 FROM customer_data_keys WHERE key_id = $1 AND wrapped_key IS NULL AND erased_at IS NOT NULL', [keyId])).rowCount === 1 ? true : undefined), STEP_TIMEOUT_MS);
    const bookingId = randomUUID();
    await sender.send(BookingHeld, { ...held(tenant, bookingId, sealed), customerId: 'customer-9' }, bookingId);
    const [message] = await waitFor('the email given up', async () => {
      const rows = (await pool.query<{ status: string; last_error: string }>('SELECT status, last_error FROM email_messages WHERE booking_id = $1', [bookingId])).rows;
      return rows[0]?.status === 'GAVE_UP' ? rows : undefined;
    }, STEP_TIMEOUT_MS);
    expect(message?.last_error).toMatch(/erased/);
    const [stored] = (await pool.query<{ email: string }>('SELECT email FROM customer_bookings WHERE booking_id = $1', [bookingId])).rows;
    expect(stored?.email).toBe(sealed);
    expect(stored?.email).not.toContain(address);
    expect(await inboxOf(address)).toEqual([]);
  }, 60_000);
});
