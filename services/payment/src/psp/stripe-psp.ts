import Stripe from 'stripe';
import { money, type Money } from '@txn/money';
import { classifyPspError } from './classify';
import type { AuthorizationSearch, AuthorizeRequest, IntentListing, IntentView, ListedIntent, ListedRefund, PaymentServiceProvider, PspAnswer, RefundView } from '../application/psp-port';
import type { PspSettings } from '../settings';

/**
 * The API version this adapter was written and tested against (stripe-node 23.1.0's own). Pinned
 * so a Stripe account upgrade does not change the shapes we read.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';
/** A payment has at most 20 refunds (payment-domain); one page holds them all. */
const REFUND_PAGE_SIZE = 100;
/** Stripe's largest list page. */
const INTENT_PAGE_SIZE = 100;
/**
 * Pages read when looking for an authorization by metadata within its created window (at most
 * 23.5 h wide): 2,000 intents of the account created in that window. A search that needs more is
 * inconclusive (asked again on schedule, then a person looks), never read without bound.
 */
export const MAX_INTENT_SEARCH_PAGES = 20;
const SECOND_MS = 1_000;
/** The charge comes with the intent, so its capture_before and created are read in the same request. */
const WITH_CHARGE = ['latest_charge'];
/** Stripe amounts are integers well below this; anything larger is a bug upstream. */
const MAX_STRIPE_AMOUNT_MINOR = 99_999_999n;

/** The parameters docs/psp-sandbox.md lists as accepted by localstripe (and Stripe): nothing else is sent. */
export function authorizeParams(request: AuthorizeRequest): Stripe.PaymentIntentCreateParams {
  return {
    amount: toStripeAmount(request.amount),
    currency: request.amount.currency.toLowerCase(),
    payment_method: request.paymentMethod,
    capture_method: 'manual',
    confirm: true,
    metadata: { payment_id: request.paymentId, booking_id: request.bookingId, tenant_id: request.tenantId },
    expand: WITH_CHARGE,
  };
}

function toStripeAmount(amount: Money): number {
  if (amount.amountMinor <= 0n || amount.amountMinor > MAX_STRIPE_AMOUNT_MINOR) throw new RangeError(`amount ${amount.amountMinor} is outside 1..${MAX_STRIPE_AMOUNT_MINOR}`);
  return Number(amount.amountMinor);
}

/** `latest_charge` is an id at Stripe and an expanded object at localstripe: accept both. */
function chargeIdOf(charge: string | Stripe.Charge | null | undefined): string | null {
  if (charge === null || charge === undefined) return null;
  return typeof charge === 'string' ? charge : charge.id;
}

const dateOf = (unix_s: number | null | undefined): Date | null => (typeof unix_s === 'number' ? new Date(unix_s * SECOND_MS) : null);

export function toIntentView(intent: Stripe.PaymentIntent): IntentView {
  const lastError = intent.last_payment_error;
  // Expanded on every request that authorizes or asks (WITH_CHARGE); an id alone says no times.
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  return {
    id: intent.id,
    status: intent.status,
    amount: money(BigInt(intent.amount), intent.currency.toUpperCase()),
    chargeId: chargeIdOf(intent.latest_charge),
    actionType: intent.next_action?.type ?? null,
    lastError: lastError === null || lastError === undefined ? null : { code: lastError.code ?? 'card_declined', declineCode: lastError.decline_code ?? null },
    // The charge is the authorization; an intent confirmed at create has the same second.
    authorizedAt: dateOf(charge?.created) ?? dateOf(intent.created),
    captureBefore: dateOf(charge?.payment_method_details?.card?.capture_before),
    paymentId: typeof intent.metadata?.payment_id === 'string' ? intent.metadata.payment_id : null,
  };
}

/**
 * Our authorization's intent among those created in the search's window, page by page (Stripe:
 * newest first; the sandbox: oldest first; either way every page), at most MAX_INTENT_SEARCH_PAGES.
 * A list is strongly consistent (Stripe's search API may lag by a minute or more, so its "nothing"
 * proves nothing): no intent here means none was created in the window.
 */
async function findAuthorization(stripe: Stripe, search: AuthorizationSearch): Promise<PspAnswer<IntentView>> {
  const created = { gte: Math.floor(search.createdFrom.getTime() / SECOND_MS), lte: Math.ceil(search.createdTo.getTime() / SECOND_MS) };
  const found: Stripe.PaymentIntent[] = [];
  let startingAfter: string | undefined;
  for (let page = 0; page < MAX_INTENT_SEARCH_PAGES; page += 1) {
    const params: Stripe.PaymentIntentListParams = { created, limit: INTENT_PAGE_SIZE, expand: ['data.latest_charge'], ...(startingAfter === undefined ? {} : { starting_after: startingAfter }) };
    const listed = await answer(stripe.paymentIntents.list(params), (list) => list);
    // A list never says "no such object": a 404 here is not proof that nothing was created.
    if (!listed.ok) return { ok: false, failure: listed.failure.kind === 'not_found' ? { kind: 'unknown', cause: 'PSP_LIST_NOT_FOUND' } : listed.failure };
    found.push(...listed.value.data.filter((intent) => intent.metadata?.payment_id === search.paymentId));
    startingAfter = listed.value.data.at(-1)?.id;
    if (!listed.value.has_more || startingAfter === undefined) return foundAuthorization(found);
  }
  return { ok: false, failure: { kind: 'unknown', cause: `PSP_SEARCH_TRUNCATED: more than ${MAX_INTENT_SEARCH_PAGES * INTENT_PAGE_SIZE} intents created in the window` } };
}

function foundAuthorization(found: readonly Stripe.PaymentIntent[]): PspAnswer<IntentView> {
  const [only, ...others] = found;
  if (only === undefined) return { ok: false, failure: { kind: 'not_found' } };
  // Two intents for one payment: a double authorization made before us. Not ours to pick one.
  if (others.length > 0) return { ok: false, failure: { kind: 'several_intents', intentIds: found.map((intent) => intent.id) } };
  return { ok: true, value: toIntentView(only) };
}

function toRefundView(refund: Stripe.Refund): RefundView {
  return { id: refund.id, status: refund.status ?? 'pending', failureReason: refund.failure_reason ?? null };
}

function toListedRefund(refund: Stripe.Refund): ListedRefund {
  return {
    ...toRefundView(refund),
    amount: money(BigInt(refund.amount), refund.currency.toUpperCase()),
    refundId: typeof refund.metadata?.refund_id === 'string' ? refund.metadata.refund_id : null,
    createdAt: new Date(refund.created * SECOND_MS),
  };
}

async function listRefunds(stripe: Stripe, intentId: string): Promise<PspAnswer<readonly ListedRefund[]>> {
  const page = await answer(stripe.refunds.list({ payment_intent: intentId, limit: REFUND_PAGE_SIZE }), (list) => list);
  if (!page.ok) return page;
  // Beyond one page the list is not the whole truth: say so rather than apply half of it.
  if (page.value.has_more) return { ok: false, failure: { kind: 'unknown', cause: `PSP_REFUNDS_TRUNCATED: more than ${REFUND_PAGE_SIZE} refunds on ${intentId}` } };
  return { ok: true, value: page.value.data.map(toListedRefund) };
}

async function listIntents(stripe: Stripe, createdFrom: Date, createdTo: Date, maxPages: number): Promise<PspAnswer<IntentListing>> {
  const created = { gte: Math.floor(createdFrom.getTime() / SECOND_MS), lte: Math.ceil(createdTo.getTime() / SECOND_MS) };
  const intents: ListedIntent[] = [];
  let startingAfter: string | undefined;
  for (let page = 1; page <= maxPages; page += 1) {
    const params: Stripe.PaymentIntentListParams = { created, limit: INTENT_PAGE_SIZE, expand: ['data.latest_charge'], ...(startingAfter === undefined ? {} : { starting_after: startingAfter }) };
    const listed = await answer(stripe.paymentIntents.list(params), (list) => list);
    if (!listed.ok) return listed;
    for (const intent of listed.value.data) {
      const charge = typeof intent.latest_charge === 'object' && intent.latest_charge !== null ? intent.latest_charge : null;
      intents.push({ ...toIntentView(intent), refundedMinor: BigInt(charge?.amount_refunded ?? 0), createdAt: new Date(intent.created * SECOND_MS) });
    }
    startingAfter = listed.value.data.at(-1)?.id;
    if (!listed.value.has_more || startingAfter === undefined) return { ok: true, value: { intents, pages: page } };
  }
  return { ok: false, failure: { kind: 'unknown', cause: `PSP_LIST_TRUNCATED: more than ${maxPages * INTENT_PAGE_SIZE} intents created in the window` } };
}

async function answer<T, V>(call: Promise<T>, view: (value: T) => V): Promise<PspAnswer<V>> {
  try {
    return { ok: true, value: view(await call) };
  } catch (error) {
    return { ok: false, failure: classifyPspError(error) };
  }
}

/**
 * The PSP port over the official SDK, configured explicitly: our own retries only (the SDK's are
 * off, so every retry goes through the work list with the payment's derived key), a bounded
 * timeout, the pinned API version, no telemetry headers to a sandbox. Host, port and protocol
 * come from PSP_API_URL: Stripe itself, or the fault proxy in front of the sandbox.
 */
export function createStripePsp(settings: PspSettings): PaymentServiceProvider {
  const url = new URL(settings.apiUrl);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const stripe = new Stripe(settings.apiKey, {
    apiVersion: STRIPE_API_VERSION,
    host: url.hostname,
    port: url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port),
    protocol,
    // Retries are ours: the same key, after commit, recorded. (The SDK still retries a connection
    // reset once on its own, with the same key; harmless.)
    maxNetworkRetries: 0,
    timeout: settings.timeout_ms,
    telemetry: false,
  });

  return {
    authorize: (request) => answer(stripe.paymentIntents.create(authorizeParams(request), { idempotencyKey: request.idempotencyKey }), toIntentView),
    capture: (intentId, amount, key) => answer(stripe.paymentIntents.capture(intentId, { amount_to_capture: toStripeAmount(amount) }, { idempotencyKey: key }), toIntentView),
    cancel: (intentId, key) => answer(stripe.paymentIntents.cancel(intentId, {}, { idempotencyKey: key }), toIntentView),
    retrieve: (intentId) => answer(stripe.paymentIntents.retrieve(intentId, { expand: WITH_CHARGE }), toIntentView),
    findAuthorization: (search) => findAuthorization(stripe, search),
    refund: (intentId, amount, refundId, key) =>
      answer(stripe.refunds.create({ payment_intent: intentId, amount: toStripeAmount(amount), metadata: { refund_id: refundId } }, { idempotencyKey: key }), toRefundView),
    listRefunds: (intentId) => listRefunds(stripe, intentId),
    listIntents: (from, to, maxPages) => listIntents(stripe, from, to, maxPages),
    findRefund: async (intentId, refundId) => {
      const page = await answer(stripe.refunds.list({ payment_intent: intentId, limit: REFUND_PAGE_SIZE }), (list) => list.data);
      if (!page.ok) return page;
      const found = page.value.find((refund) => refund.metadata?.refund_id === refundId);
      return found === undefined ? { ok: false, failure: { kind: 'not_found' } } : { ok: true, value: toRefundView(found) };
    },
  };
}
