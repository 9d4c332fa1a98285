import Stripe from 'stripe';
import { startPrivateSandbox, type PrivateSandbox } from '../../src/private-sandbox';

// A private copy of the platform's PSP sandbox (deploy/local/psp-sandbox/serve.py from this
// checkout, empty), and the patches that make it answer as Stripe does where the payment service
// depends on it: the `created` filter of the PaymentIntent list (patch 7), `latest_charge` as an id
// unless expanded (patch 8), and capture_before on manual-capture card charges (patch 9).

const STRIPE_API_VERSION = '2026-10-28.endive';
const SECOND_S = 1;
const CARD_AUTHORIZATION_VALIDITY_S = 7 * 24 * 3_600;

let sandbox: PrivateSandbox;
let stripe: Stripe;

beforeAll(async () => {
  sandbox = await startPrivateSandbox();
  stripe = new Stripe('sk_test_private_sandbox', { host: sandbox.host, port: sandbox.port, protocol: 'http', apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 0, timeout: 10_000, telemetry: false });
});

afterAll(() => sandbox?.stop());

async function hold(paymentId: string): Promise<Stripe.PaymentIntent> {
  return stripe.paymentIntents.create({ amount: 1_000, currency: 'eur', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true, metadata: { payment_id: paymentId } });
}

describe('a private PSP sandbox, patched to answer as Stripe does', () => {
  it('starts empty on its own port, apart from the shared sandbox', async () => {
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
    expect((await stripe.paymentIntents.list({ limit: 1 })).data).toEqual([]);
  });

  it('filters the PaymentIntent list by created (gte/lte, gt/lt, an exact time) and refuses a created that is not a time', async () => {
    const intent = await hold('p-created');
    const at = intent.created;
    const ids = async (created: Stripe.RangeQueryParam | number): Promise<string[]> => (await stripe.paymentIntents.list({ created, limit: 100 })).data.map((listed) => listed.id);
    expect(await ids({ gte: at - SECOND_S, lte: at + SECOND_S })).toContain(intent.id);
    expect(await ids(at)).toContain(intent.id);
    expect(await ids({ gt: at })).not.toContain(intent.id);
    expect(await ids({ lt: at })).not.toContain(intent.id);
    const refused = await stripe.paymentIntents.list({ created: { gte: 'soon' as unknown as number } }).catch((error: unknown) => error as Stripe.errors.StripeError);
    expect(refused).toMatchObject({ statusCode: 400, param: 'created' });
  });

  it('sends latest_charge as an id unless the request expands it (a retrieve, a create, or data.latest_charge in a list)', async () => {
    const intent = await hold('p-expand');
    expect(typeof intent.latest_charge).toBe('string');
    const retrieved = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    expect(retrieved.latest_charge).toMatchObject({ id: intent.latest_charge, object: 'charge' });
    const created = await stripe.paymentIntents.create({ amount: 1_000, currency: 'eur', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true, expand: ['latest_charge'] });
    expect(typeof created.latest_charge).toBe('object');
    const listed = await stripe.paymentIntents.list({ created: { gte: intent.created - SECOND_S }, expand: ['data.latest_charge'], limit: 100 });
    expect(listed.data.every((each) => each.latest_charge === null || typeof each.latest_charge === 'object')).toBe(true);
  });

  it('says when a manual-capture card authorization lapses: payment_method_details.card.capture_before, 7 days after the charge', async () => {
    const intent = await stripe.paymentIntents.retrieve((await hold('p-expiry')).id, { expand: ['latest_charge'] });
    const charge = intent.latest_charge as Stripe.Charge;
    expect(charge.payment_method_details).toMatchObject({ type: 'card', card: { capture_before: charge.created + CARD_AUTHORIZATION_VALIDITY_S } });
    // An automatic capture holds nothing: no capture_before.
    const paid = await stripe.paymentIntents.create({ amount: 1_000, currency: 'eur', payment_method: 'pm_card_visa', confirm: true, expand: ['latest_charge'] });
    expect((paid.latest_charge as Stripe.Charge).payment_method_details?.card?.capture_before).toBeUndefined();
  });
});
