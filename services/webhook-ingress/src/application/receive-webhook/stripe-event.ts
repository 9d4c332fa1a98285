import { isCurrencyCode, type Money } from '@txn/money';

/** What the ingress reads from a PSP event, whatever the object; the rest stays in the raw body. */
export interface NormalisedPspEvent {
  readonly pspEventId: string;
  readonly pspEventType: string;
  readonly pspObjectType: string;
  readonly pspObjectId: string;
  readonly pspCreatedAt: Date;
  readonly livemode: boolean;
  readonly pspPaymentIntentId: string | null;
  readonly pspChargeId: string | null;
  readonly pspRefundId: string | null;
  readonly paymentId: string | null;
  /** The merchant, from our metadata on the object (payment writes tenant_id on every intent). */
  readonly tenantId: string | null;
  readonly pspStatus: string | null;
  readonly amount: Money | null;
  readonly failureCode: string | null;
}

/** Why a body that passed the signature check is still not an event we can store. */
export class MalformedPspEvent extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPspEvent';
  }
}

/**
 * The event families payment understands and is sent on psp.events.v1. Any other type is stored
 * and counted, never refused (the PSP would retry it for days) and never published.
 */
const PUBLISHED_FAMILIES = ['payment_intent.', 'charge.', 'refund.'];

export function isPublishedType(eventType: string): boolean {
  return PUBLISHED_FAMILIES.some((family) => eventType.startsWith(family));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID = /^[A-Za-z0-9_]{1,255}$/;
/** Stripe amounts are integers in minor units; beyond this they are not money we handle. */
const MAX_AMOUNT = 10n ** 15n;

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= 255 ? value : null;
}

function idOf(value: unknown): string | null {
  // Stripe sends a related object as its id, or embedded when expanded.
  const candidate = isObject(value) ? value.id : value;
  return typeof candidate === 'string' && ID.test(candidate) ? candidate : null;
}

/**
 * The amount the event is about: what was received on an intent that took money, what has been
 * refunded on a charge.refunded, else the object's amount (a refund's, a charge's, a dispute's).
 */
function amountOf(eventType: string, object: Json): Money | null {
  const received = typeof object.amount_received === 'number' && object.amount_received > 0 ? object.amount_received : undefined;
  const raw = eventType === 'charge.refunded' ? object.amount_refunded : (received ?? object.amount);
  const currency = typeof object.currency === 'string' ? object.currency.toUpperCase() : null;
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0 || currency === null || !isCurrencyCode(currency)) return null;
  const amountMinor = BigInt(raw);
  return amountMinor <= MAX_AMOUNT ? { amountMinor, currency } : null;
}

/** Which of the object's ids is the intent, the charge, the refund, by its type. */
function relatedIds(objectType: string, object: Json, objectId: string): Pick<NormalisedPspEvent, 'pspPaymentIntentId' | 'pspChargeId' | 'pspRefundId'> {
  switch (objectType) {
    case 'payment_intent':
      return { pspPaymentIntentId: objectId, pspChargeId: idOf(object.latest_charge), pspRefundId: null };
    case 'charge':
      return { pspPaymentIntentId: idOf(object.payment_intent), pspChargeId: objectId, pspRefundId: null };
    case 'refund':
      return { pspPaymentIntentId: idOf(object.payment_intent), pspChargeId: idOf(object.charge), pspRefundId: objectId };
    case 'dispute':
      return { pspPaymentIntentId: idOf(object.payment_intent), pspChargeId: idOf(object.charge), pspRefundId: null };
    default:
      return { pspPaymentIntentId: null, pspChargeId: null, pspRefundId: null };
  }
}

function failureCodeOf(object: Json): string | null {
  const lastError = isObject(object.last_payment_error) ? object.last_payment_error : undefined;
  return text(object.failure_code) ?? text(lastError?.decline_code) ?? text(lastError?.code) ?? null;
}

/** A verified Stripe event body, parsed, as the fields we publish. Throws MalformedPspEvent when it is not an event. */
export function normaliseStripeEvent(parsed: unknown): NormalisedPspEvent {
  if (!isObject(parsed) || parsed.object !== 'event') throw new MalformedPspEvent('not a Stripe event object');
  const eventId = idOf(parsed.id);
  const eventType = typeof parsed.type === 'string' && /^[a-z_.]{1,100}$/.test(parsed.type) ? parsed.type : null;
  const created = parsed.created;
  const object = isObject(parsed.data) && isObject(parsed.data.object) ? parsed.data.object : null;
  if (eventId === null || eventType === null || typeof created !== 'number' || !Number.isSafeInteger(created) || object === null) throw new MalformedPspEvent('the event lacks its id, type, created time or object');
  const objectId = idOf(object.id);
  const objectType = typeof object.object === 'string' && /^[a-z_.]{1,100}$/.test(object.object) ? object.object : null;
  if (objectId === null || objectType === null) throw new MalformedPspEvent("the event's object lacks its id or type");
  const metadata = isObject(object.metadata) ? object.metadata : {};
  const paymentId = typeof metadata.payment_id === 'string' && UUID.test(metadata.payment_id) ? metadata.payment_id.toLowerCase() : null;
  return {
    pspEventId: eventId,
    pspEventType: eventType,
    pspObjectType: objectType,
    pspObjectId: objectId,
    pspCreatedAt: new Date(created * 1000),
    livemode: parsed.livemode === true,
    ...relatedIds(objectType, object, objectId),
    paymentId,
    tenantId: text(metadata.tenant_id),
    pspStatus: text(object.status),
    amount: amountOf(eventType, object),
    failureCode: failureCodeOf(object),
  };
}
