import type { Payment } from './payment';

/**
 * When the authorization's create may be sent (again) with its idempotency key, and where to look
 * for its PaymentIntent when we never learned the id. Stripe keeps a key "at least 24 hours" and
 * may prune it after that (our proxy forgets it at 24 h, or sooner when full); a create re-sent
 * with a forgotten key makes a second PaymentIntent: a double authorization. So the create is sent
 * only within 23 h of the moment the authorization was first asked for (which is before any attempt
 * reached the PSP, so the key is younger than that at the PSP): an hour for clocks that disagree
 * and for requests still in flight. Past the window nothing creates; a person decides.
 * docs/decisions/0022-payment-bounded-psp-work.md
 */
export const AUTHORIZATION_CREATE_WINDOW_MS = 23 * 3_600_000;

/**
 * How far the PSP's clock (an intent's `created`) may be from ours, plus a request's own time in
 * flight: the search for an intent looks this much before the first request and after the last
 * moment a create may have been sent.
 */
export const PSP_CLOCK_MARGIN_MS = 15 * 60_000;

/**
 * How long a card authorization holds when the PSP does not say (Stripe: "usually up to 7 days"
 * for online card payments; its own word is the charge's capture_before, which wins).
 */
export const DEFAULT_CARD_AUTHORIZATION_VALIDITY_MS = 7 * 24 * 3_600_000;

/** Whether an AUTHORIZE create may be sent now with the payment's key. */
export function mayCreateAuthorization(payment: Pick<Payment, 'authorizationRequestedAt'>, now: Date): boolean {
  return now.getTime() < payment.authorizationRequestedAt.getTime() + AUTHORIZATION_CREATE_WINDOW_MS;
}

/**
 * The `created` range in which the PSP holds the payment's PaymentIntent if any attempt made one:
 * from the first request (less the margin) to the last moment a create may have been sent (or now,
 * if earlier), plus the margin. At most the window and two margins wide: a bounded search.
 */
export function authorizationSearchWindow(payment: Pick<Payment, 'authorizationRequestedAt'>, now: Date): { readonly createdFrom: Date; readonly createdTo: Date } {
  const requested_ms = payment.authorizationRequestedAt.getTime();
  const lastCreate_ms = Math.min(now.getTime(), requested_ms + AUTHORIZATION_CREATE_WINDOW_MS);
  return { createdFrom: new Date(requested_ms - PSP_CLOCK_MARGIN_MS), createdTo: new Date(Math.max(lastCreate_ms, requested_ms) + PSP_CLOCK_MARGIN_MS) };
}

/** When an authorization lapses at the PSP: its own word when it gives one, else the default validity from when it authorized. */
export function authorizationExpiry(pspSays: Date | null, authorizedAt: Date): Date {
  return pspSays ?? new Date(authorizedAt.getTime() + DEFAULT_CARD_AUTHORIZATION_VALIDITY_MS);
}
