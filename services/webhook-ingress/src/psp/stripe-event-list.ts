import Stripe from 'stripe';
import type { PspEventList } from '../application/catch-up/catch-up';

export interface PspApiSettings {
  /** Stripe, or the fault proxy in front of the sandbox (PSP_API_URL). */
  readonly apiUrl: string;
  /** From PSP_API_KEY_FILE only. */
  readonly apiKey: string;
  readonly timeout_ms: number;
}

/** The API version the platform pins for every PSP call (payment's too). */
const STRIPE_API_VERSION = '2026-10-28.endive';
const PAGE_SIZE = 100;

/** Stripe's event list (`GET /v1/events?created[gte]=…`) through the official SDK, read-only. */
export function stripeEventList(settings: PspApiSettings): PspEventList {
  const url = new URL(settings.apiUrl);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const stripe = new Stripe(settings.apiKey, {
    apiVersion: STRIPE_API_VERSION,
    host: url.hostname,
    port: url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port),
    protocol,
    maxNetworkRetries: 1,
    timeout: settings.timeout_ms,
    telemetry: false,
  });
  return {
    async page(since, startingAfter) {
      const listed = await stripe.events.list({ created: { gte: Math.floor(since.getTime() / 1000) }, limit: PAGE_SIZE, ...(startingAfter === undefined ? {} : { starting_after: startingAfter }) });
      return { events: listed.data, hasMore: listed.has_more };
    },
  };
}
