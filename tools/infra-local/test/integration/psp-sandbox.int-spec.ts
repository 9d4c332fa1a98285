import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { testEnvironment, waitFor } from '@txn/testing';

// The `stripe` SDK talks to localstripe unchanged; only where it connects differs from production.
// Pinned explicitly so an SDK upgrade that moves the API version shows up as a diff here.
const STRIPE_API_VERSION = '2026-10-28.endive';
const REQUEST_TIMEOUT_MS = 5_000;
/** localstripe sends a webhook about 1 s after the event, once. */
const WEBHOOK_WAIT_MS = 10_000;
const CONFIG_TIMEOUT_MS = 5_000;

function sandboxClient(): Stripe {
  const { host, port } = testEnvironment().pspSandbox;
  return new Stripe(`sk_test_${randomBytes(8).toString('hex')}`, {
    host,
    port,
    protocol: 'http',
    apiVersion: STRIPE_API_VERSION,
    // Retries would hide the sandbox's answers; the payment adapter brings its own policy.
    maxNetworkRetries: 0,
    timeout: REQUEST_TIMEOUT_MS,
    telemetry: false,
  });
}

/** What a rejected call carried: localstripe's errors all map to StripeInvalidRequestError. */
async function stripeFailure(call: Promise<unknown>): Promise<{ statusCode?: number; code?: string; param?: string; message: string }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeError)) throw error;
    return { statusCode: error.statusCode, code: error.code, param: error.param, message: error.message };
  }
  throw new Error('expected the sandbox to refuse the call, but it succeeded');
}

function chargeId(intent: Stripe.PaymentIntent): string {
  const charge = intent.latest_charge;
  if (charge === null) throw new Error(`${intent.id} has no charge`);
  // localstripe expands latest_charge where Stripe sends its id.
  return typeof charge === 'string' ? charge : charge.id;
}

interface Delivery {
  readonly rawBody: Buffer;
  readonly signature: string;
  readonly eventType: string;
  readonly objectId: string;
}

/** A webhook endpoint on loopback that records every delivery with its exact bytes. */
async function startWebhookReceiver(): Promise<{ server: Server; url: string; deliveries: Delivery[] }> {
  const deliveries: Delivery[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      try {
        const event = JSON.parse(rawBody.toString('utf8')) as { type: string; data: { object: { id: string } } };
        deliveries.push({
          rawBody,
          signature: String(request.headers['stripe-signature'] ?? ''),
          eventType: event.type,
          objectId: event.data.object.id,
        });
        response.writeHead(200).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/webhooks/psp`, deliveries };
}

async function sandboxConfig(method: 'POST' | 'DELETE', path: string, body?: object): Promise<void> {
  const response = await fetch(`${testEnvironment().pspSandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS),
  });
  if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
}

describe('PSP sandbox (localstripe) through the official stripe SDK', () => {
  const stripe = sandboxClient();

  describe('authorize, capture and refund', () => {
    it('holds a payment, captures part of it and refunds exactly what was captured', async () => {
      const created = await stripe.paymentIntents.create({
        amount: 10_000,
        currency: 'eur',
        payment_method: 'pm_card_visa',
        capture_method: 'manual',
        metadata: { booking_id: 'bk_hold_partial' },
      });
      expect(created.status).toBe('requires_confirmation');
      expect(created.metadata).toEqual({ booking_id: 'bk_hold_partial' });

      const held = await stripe.paymentIntents.confirm(created.id);
      expect(held.status).toBe('requires_capture');

      const captured = await stripe.paymentIntents.capture(created.id, { amount_to_capture: 7_500 });
      expect(captured.status).toBe('succeeded');
      // The uncaptured 2 500 is released, which the charge reports as refunded (as Stripe does).
      const charge = await stripe.charges.retrieve(chargeId(captured));
      expect({ captured: charge.captured, amount_refunded: charge.amount_refunded }).toEqual({ captured: true, amount_refunded: 2_500 });

      const first = await stripe.refunds.create({ payment_intent: created.id, amount: 5_000 });
      expect({ status: first.status, amount: first.amount }).toEqual({ status: 'succeeded', amount: 5_000 });

      const tooMuch = await stripeFailure(stripe.refunds.create({ payment_intent: created.id, amount: 2_501 }));
      expect(tooMuch).toMatchObject({ statusCode: 400, param: 'amount' });

      // Without an amount, the refund is what is left: 7 500 captured − 5 000 refunded.
      const rest = await stripe.refunds.create({ payment_intent: created.id });
      expect(rest.amount).toBe(2_500);

      const nothingLeft = await stripeFailure(stripe.refunds.create({ payment_intent: created.id, amount: 1 }));
      expect(nothingLeft).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
      const settled = await stripe.charges.retrieve(chargeId(captured));
      expect({ amount_refunded: settled.amount_refunded, refunded: settled.refunded }).toEqual({ amount_refunded: 10_000, refunded: true });
    });

    it('captures in full, once, a hold confirmed at creation with a card entered by number', async () => {
      const card = await stripe.paymentMethods.create({
        type: 'card',
        card: { number: '4242424242424242', exp_month: 12, exp_year: 2034, cvc: '123' },
      });
      const held = await stripe.paymentIntents.create({
        amount: 4_200,
        currency: 'eur',
        payment_method: card.id,
        capture_method: 'manual',
        confirm: true,
      });
      expect(held.status).toBe('requires_capture');

      const captured = await stripe.paymentIntents.capture(held.id);
      expect(captured.status).toBe('succeeded');
      expect((await stripe.paymentIntents.retrieve(held.id)).status).toBe('succeeded');
      const twice = await stripeFailure(stripe.paymentIntents.capture(held.id));
      expect(twice).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });

      const tooMuch = await stripeFailure(stripe.refunds.create({ payment_intent: held.id, amount: 4_201 }));
      expect(tooMuch).toMatchObject({ statusCode: 400, param: 'amount' });
      expect((await stripe.refunds.create({ payment_intent: held.id, amount: 4_200 })).amount).toBe(4_200);
    });

    it('cancels a hold that is not captured, and then refuses to capture or refund it', async () => {
      const held = await stripe.paymentIntents.create({
        amount: 1_000,
        currency: 'eur',
        payment_method: 'pm_card_visa',
        capture_method: 'manual',
        confirm: true,
      });
      expect((await stripe.paymentIntents.cancel(held.id)).status).toBe('canceled');
      const late = await stripeFailure(stripe.paymentIntents.capture(held.id));
      expect(late).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
      // Cancelling released the hold; there is nothing to refund.
      const refund = await stripeFailure(stripe.refunds.create({ payment_intent: held.id }));
      expect(refund).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
    });
  });

  describe('declines', () => {
    it('declines a card whose charge fails, leaving the intent waiting for another payment method', async () => {
      const intent = await stripe.paymentIntents.create({
        amount: 2_000,
        currency: 'eur',
        payment_method: 'pm_card_chargeCustomerFail', // card 4000000000000341
        capture_method: 'manual',
      });
      const declined = await stripeFailure(stripe.paymentIntents.confirm(intent.id));
      // Stripe's type would be card_error (StripeCardError); localstripe says invalid_request_error,
      // so the adapter must classify by HTTP status and `code`, not by the SDK's error class.
      expect(declined).toMatchObject({ statusCode: 402, code: 'card_declined' });

      const after = await stripe.paymentIntents.retrieve(intent.id);
      expect(after.status).toBe('requires_payment_method');
      expect(after.last_payment_error?.code).toBe('card_declined');
    });

    it('declines the generic decline card 4000000000000002 when it is attached to a customer', async () => {
      const customer = await stripe.customers.create({ email: 'declined@example.test', metadata: { test: 'decline' } });
      const card = await stripe.paymentMethods.create({
        type: 'card',
        card: { number: '4000000000000002', exp_month: 12, exp_year: 2034, cvc: '123' },
      });
      const declined = await stripeFailure(stripe.paymentMethods.attach(card.id, { customer: customer.id }));
      expect(declined).toMatchObject({ statusCode: 402, code: 'card_declined' });
    });
  });

  describe('webhooks', () => {
    const webhookId = `test_${randomBytes(4).toString('hex')}`;
    const secret = `whsec_${randomBytes(16).toString('hex')}`;
    let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

    beforeAll(async () => {
      receiver = await startWebhookReceiver();
      await sandboxConfig('POST', `/_config/webhooks/${webhookId}`, {
        url: receiver.url,
        secret,
        events: ['payment_intent.succeeded', 'payment_intent.payment_failed'],
      });
    });

    afterAll(async () => {
      try {
        // serve.py's addition: localstripe itself cannot forget a webhook target.
        await sandboxConfig('DELETE', `/_config/webhooks/${webhookId}`);
      } finally {
        receiver.server.closeAllConnections();
        receiver.server.close();
      }
    });

    // Webhook targets are global to the sandbox: wait for the delivery about our own object.
    function deliveryFor(objectId: string, eventType: string): Promise<Delivery> {
      return waitFor(
        `${eventType} webhook for ${objectId}`,
        () => receiver.deliveries.find((d) => d.objectId === objectId && d.eventType === eventType),
        WEBHOOK_WAIT_MS,
      );
    }

    it('delivers payment_intent.succeeded on capture, signed so that the SDK verifies it', async () => {
      const held = await stripe.paymentIntents.create({
        amount: 3_100,
        currency: 'eur',
        payment_method: 'pm_card_visa',
        capture_method: 'manual',
        confirm: true,
      });
      await stripe.paymentIntents.capture(held.id);

      const delivery = await deliveryFor(held.id, 'payment_intent.succeeded');
      const event = stripe.webhooks.constructEvent(delivery.rawBody, delivery.signature, secret);
      expect(event.type).toBe('payment_intent.succeeded');
      expect((event.data.object as Stripe.PaymentIntent).id).toBe(held.id);

      const tampered = Buffer.from(delivery.rawBody.toString('utf8').replace('"amount": 3100', '"amount": 310000'));
      expect(tampered.equals(delivery.rawBody)).toBe(false);
      expect(() => stripe.webhooks.constructEvent(tampered, delivery.signature, secret)).toThrow(
        Stripe.errors.StripeSignatureVerificationError,
      );
      expect(() => stripe.webhooks.constructEvent(delivery.rawBody, delivery.signature, `${secret}x`)).toThrow(
        Stripe.errors.StripeSignatureVerificationError,
      );
    });

    it('delivers payment_intent.payment_failed for a declined confirmation', async () => {
      const intent = await stripe.paymentIntents.create({
        amount: 900,
        currency: 'eur',
        payment_method: 'pm_card_chargeCustomerFail',
        capture_method: 'manual',
      });
      await stripeFailure(stripe.paymentIntents.confirm(intent.id));

      const delivery = await deliveryFor(intent.id, 'payment_intent.payment_failed');
      const event = stripe.webhooks.constructEvent(delivery.rawBody, delivery.signature, secret);
      expect(event.type).toBe('payment_intent.payment_failed');
    });
  });
});
