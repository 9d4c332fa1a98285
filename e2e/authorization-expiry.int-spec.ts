import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { BookingHeld, type Envelope } from '@txn/contracts';
import { ledgerService, readLedgerSettings, sweepLapsedHolds, type LedgerSettings } from '@txn/ledger';
import { paymentService, readPaymentSettings, STRIPE_API_VERSION } from '@txn/payment';
import { startPrivateSandbox, type PrivateSandbox } from '@txn/psp-proxy';
import { startSuiteService, suiteResources, suiteSender, type SuiteSender, type SuiteService } from '@txn/service-harness';
import { Cleanups, waitFor } from '@txn/testing';
import { readSaga, SAGA_TOPICS, type SeenEvent } from './support/suite-resources';

// An authorization's real expiry, end to end and light: payment and ledger in one process on the
// real Kafka, PostgreSQL and registry, payment authorizing at a private copy of the PSP sandbox
// (the platform's launcher, which says when a card authorization lapses as Stripe does, in the
// charge's payment_method_details.card.capture_before). No booking service: the test sends the
// BookingHeld that starts a payment. The expiry the ledger holds to is the one payment sends in
// PaymentAuthorized from the PSP's answer; the ledger's own sweep, judged at a time past that
// expiry and its grace, voids the hold. Nobody waits seven days: the sweep takes the time it judges by.

const START_TIMEOUT_MS = 120_000;
const STEP_TIMEOUT_MS = 30_000;
const PRICE_MINOR = 12_345n;
const HOLD_MS = 15 * 60_000;
const SLOT_LEAD_MS = 72 * 3_600_000;
const SANDBOX_TIMEOUT_MS = 10_000;
const SECOND_MS = 1_000;

describe('an authorization lapses at the PSP: the ledger voids its hold by the expiry the PSP gave', () => {
  const cleanups = new Cleanups();
  const tenantId = `merchant-expiry-${randomBytes(3).toString('hex')}`;
  const apiKey = `sk_test_expiry_${randomBytes(8).toString('hex')}`;
  let sandbox: PrivateSandbox;
  let psp: Stripe;
  let sender: SuiteSender;
  let ledger: SuiteService;
  let ledgerSettings: LedgerSettings;
  let seen: SeenEvent[];

  function eventOf(eventType: string, matches: (event: SeenEvent) => boolean): Promise<SeenEvent> {
    return waitFor(eventType, () => seen.find((event) => event.eventType === eventType && matches(event)), STEP_TIMEOUT_MS);
  }

  function held(bookingId: string): BookingHeld {
    const envelope: Envelope = { eventId: randomUUID(), eventType: 'BookingHeld', occurredAt: new Date(), producer: 'e2e-test', aggregateId: bookingId, aggregateVersion: 1n, correlationId: bookingId, causationId: null, actor: { type: 'SERVICE', id: 'booking' }, tenantId };
    const startsAt = new Date(Date.now() + SLOT_LEAD_MS);
    return {
      envelope,
      bookingId,
      statusBefore: null,
      statusAfter: 'HELD',
      reason: 'REQUESTED',
      customerId: 'customer-expiry',
      customerEmail: null,
      slot: { resourceId: 'room-1', startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000) },
      price: { amountMinor: PRICE_MINOR, currency: 'EUR' },
      holdExpiresAt: new Date(Date.now() + HOLD_MS),
    };
  }

  beforeAll(async () => {
    const startedAt_ms = Date.now();
    sandbox = await startPrivateSandbox();
    cleanups.push(() => sandbox.stop());
    psp = new Stripe(apiKey, { host: sandbox.host, port: sandbox.port, protocol: 'http', apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 0, timeout: SANDBOX_TIMEOUT_MS, telemetry: false });
    const { scope, topicOf, secret } = await suiteResources('e2e-auth-expiry', SAGA_TOPICS, 3, cleanups);
    const common = (service: string) => ({ service, secret, topicOverrides: topicOf, consumerGroup: scope.groupId(service), cleanups, logLevel: 'warn' as const });
    const paymentEnvironment = { PSP_API_URL: sandbox.url, PSP_API_KEY_FILE: secret('psp-api-key', apiKey), PSP_TIMEOUT_MS: '5000', PAYMENT_CALL_POLL_INTERVAL_MS: '200' };
    await startSuiteService({ ...common('payment'), database: await scope.database('payment'), environment: paymentEnvironment, readSettings: readPaymentSettings, definition: (config) => paymentService(config) });
    ledger = await startSuiteService({ ...common('ledger'), database: await scope.database('ledger'), readSettings: readLedgerSettings, definition: (config) => { ledgerSettings = config; return ledgerService(config); } });
    sender = await suiteSender('e2e-auth-expiry', topicOf, cleanups);
    seen = await readSaga({ scope, topicOf: (topic) => topicOf[topic], codec: sender.codec, startedAt_ms, clientId: 'e2e-auth-expiry-reader' }, cleanups);
  }, START_TIMEOUT_MS);

  afterAll(() => cleanups.runAll());

  it('PaymentAuthorized carries the charge\'s capture_before and the PSP\'s time; the ledger holds to it, and its sweep past expiry + grace voids the hold (HOLD_EXPIRED)', async () => {
    const bookingId = randomUUID();
    await sender.send(BookingHeld, held(bookingId), bookingId);
    const authorized = await eventOf('PaymentAuthorized', (event) => event.value.bookingId === bookingId);

    // What the PSP itself says about the authorization.
    const intent = await psp.paymentIntents.retrieve(String(authorized.value.pspPaymentIntentId), { expand: ['latest_charge'] });
    const charge = intent.latest_charge as Stripe.Charge;
    const captureBefore = charge.payment_method_details?.card?.capture_before;
    if (typeof captureBefore !== 'number') throw new Error(`the sandbox's charge ${charge.id} says no capture_before`);
    const expiresAt = new Date(captureBefore * SECOND_MS);
    expect(authorized.value).toMatchObject({ authorizationExpiresAt: expiresAt, authorizedAt: new Date(charge.created * SECOND_MS) });

    const paymentId = String(authorized.value.paymentId);
    const placed = await eventOf('HoldPlaced', (event) => event.value.holdId === paymentId);
    expect(placed.value).toMatchObject({ statusAfter: 'PENDING', expiresAt, amount: { amountMinor: PRICE_MINOR, currency: 'EUR' } });

    // Within the grace after the expiry the hold stands (a capture made in time may still be on its way)…
    const graceEnd_ms = expiresAt.getTime() + ledgerSettings.holdExpiryGrace_ms;
    expect(await sweepLapsedHolds(ledger.service, ledgerSettings, new Date(graceEnd_ms - SECOND_MS))).toEqual({ due: 0, expired: 0 });
    // …past it, the ledger releases what the PSP no longer holds.
    expect(await sweepLapsedHolds(ledger.service, ledgerSettings, new Date(graceEnd_ms + SECOND_MS))).toEqual({ due: 1, expired: 1 });
    const voided = await eventOf('HoldVoided', (event) => event.value.holdId === paymentId);
    expect(voided.value).toMatchObject({ statusBefore: 'PENDING', statusAfter: 'VOIDED', reason: 'HOLD_EXPIRED', voidedAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' } });
  });
});
