import { webhookEndpointSecret, webhookUrlVerdict } from '@txn/notification-domain';
import { TOPIC_EVENT_TYPES } from '@txn/contracts';

/** Every endpoint gets all event types by default. */
export const ALL_EVENT_TYPES = '*';
/** A merchant may have this many endpoints enabled or not (bounded fan-out per event). */
export const MAX_ENDPOINTS_PER_MERCHANT = 16;
/** How long the previous secret keeps signing after a rotation, so receivers switch without losing a delivery. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;
const MAX_URL_LENGTH = 2_048;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** What a merchant can be told about: its bookings' and payments' events. */
export const DELIVERABLE_EVENT_TYPES: readonly string[] = [...TOPIC_EVENT_TYPES['booking.events.v1'], ...TOPIC_EVENT_TYPES['payment.events.v1']].sort();

/**
 * Why a URL cannot be an endpoint, or null. https only: a payload names bookings and payments, so
 * it never crosses a network in clear; plain http is allowed on a loopback host only (local demos
 * and tests). No credentials in the URL (they would be logged by proxies), no fragment, bounded.
 */
export function urlProblem(raw: string): string | null {
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return 'must be https (plain http only on a loopback host)';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (url.hash !== '') return 'must not have a fragment';
  // A literal private, link-local or metadata address is refused now; a name is checked again at every connect (notification's guard).
  const verdict = webhookUrlVerdict(raw, { allowLoopback: true });
  if (!verdict.allowed && verdict.refusal === 'address') return `must not point at ${verdict.reason}`;
  return null;
}

/** The event types that are not deliverable (an empty list: all are). `*` stands alone. */
export function unknownEventTypes(eventTypes: readonly string[]): string[] {
  if (eventTypes.length === 1 && eventTypes[0] === ALL_EVENT_TYPES) return [];
  return eventTypes.filter((type) => !DELIVERABLE_EVENT_TYPES.includes(type));
}

/** Version N of an endpoint's signing secret (derived, never stored: decision 0033); the notification service signs with the same. */
export const endpointSecret = webhookEndpointSecret;
