import { createHash } from 'node:crypto';
import type { SettingsReader } from '@txn/service-kit';
import type { WebhookSecret } from './application/receive-webhook/signature';
import type { PspApiSettings } from './psp/stripe-event-list';

const HOST = /^[A-Za-z0-9.:-]{1,253}$/;
/** A PSP account's name in the path and the settings: lower case, digits, dashes and underscores. */
export const ACCOUNT_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const ACCOUNT_LIST = /^[a-z0-9][a-z0-9_-]{0,39}(,[a-z0-9][a-z0-9_-]{0,39}){0,19}$/;

/** The webhook-ingress' own settings, validated with the shared ones at start-up. */
export interface IngressSettings {
  /** The public HTTP port the PSP posts to (API_PORT; 0 picks a free one). Health and metrics stay on HTTP_PORT. */
  readonly apiPort: number;
  readonly apiHost: string;
  /**
   * The Stripe webhook signing secrets that verify (WEBHOOK_STRIPE_SECRET_FILE, and during a
   * rotation WEBHOOK_STRIPE_PREVIOUS_SECRET_FILE): files only, never logged; each named by a
   * digest prefix so logs and events say which verified without revealing it.
   */
  readonly stripeSecrets: readonly WebhookSecret[];
  /**
   * Further Stripe accounts, each at `POST /webhooks/stripe/<account>` with its own secrets
   * (WEBHOOK_STRIPE_ACCOUNTS=a,b; WEBHOOK_STRIPE_<A>_SECRET_FILE and, rotating,
   * WEBHOOK_STRIPE_<A>_PREVIOUS_SECRET_FILE; <A> upper-cased, dashes as underscores). The
   * account is stored with each delivery. `POST /webhooks/stripe` is the account `default`.
   */
  readonly stripeAccounts: ReadonlyMap<string, readonly WebhookSecret[]>;
  /** Largest age (and future skew) of a signature's timestamp (WEBHOOK_TOLERANCE_S, default 300, Stripe's). */
  readonly tolerance_s: number;
  /** Largest body accepted (WEBHOOK_BODY_LIMIT_BYTES, default 512 KiB): larger ones get 413, unstored. */
  readonly bodyLimit_bytes: number;
  /**
   * Reading the PSP's event list for what we missed: at start-up, then every
   * WEBHOOK_CATCH_UP_INTERVAL_MS (default 15 min), with PSP_API_URL and, per account, its API key:
   * PSP_API_KEY_FILE for `default`, WEBHOOK_STRIPE_<A>_API_KEY_FILE for a further account (one
   * without a key is not caught up, said at start-up). Unset PSP_API_URL: no catch-up at all (said
   * at start-up); only tests run so.
   */
  readonly catchUp?: { readonly accounts: ReadonlyMap<string, PspApiSettings>; readonly interval_ms: number; readonly maxPages: number; readonly firstWindow_ms: number };
}

export const DEFAULT_TOLERANCE_S = 300;
export const DEFAULT_BODY_LIMIT_BYTES = 512 * 1024;

/** How a secret is named: `whsec:` and 8 hex digits of its SHA-256 (rotating changes the name). */
export function secretId(secret: string): string {
  return `whsec:${createHash('sha256').update(secret).digest('hex').slice(0, 8)}`;
}

export function webhookSecrets(current: string, previous: string | undefined): WebhookSecret[] {
  return [current, ...(previous === undefined ? [] : [previous])].map((secret) => ({ id: secretId(secret), secret }));
}

export function readIngressSettings(settings: SettingsReader): IngressSettings {
  return {
    apiPort: settings.integer('API_PORT', { min: 0, max: 65_535, default: 18_510 }),
    apiHost: settings.text('API_HOST', { default: '127.0.0.1', pattern: HOST, what: 'a host name or IP address' }),
    stripeSecrets: webhookSecrets(settings.secretFile('WEBHOOK_STRIPE_SECRET'), settings.optionalSecretFile('WEBHOOK_STRIPE_PREVIOUS_SECRET')),
    stripeAccounts: readAccounts(settings),
    tolerance_s: settings.integer('WEBHOOK_TOLERANCE_S', { min: 1, max: 3_600, default: DEFAULT_TOLERANCE_S }),
    bodyLimit_bytes: settings.integer('WEBHOOK_BODY_LIMIT_BYTES', { min: 1_024, max: 4 * 1024 * 1024, default: DEFAULT_BODY_LIMIT_BYTES }),
    ...readCatchUp(settings, stripeAccountNames(settings)),
  };
}

function stripeAccountNames(settings: SettingsReader): readonly string[] {
  const listed = settings.optionalText('WEBHOOK_STRIPE_ACCOUNTS', ACCOUNT_LIST);
  const names = listed === undefined ? [] : listed.split(',');
  if (names.includes('default')) throw new Error('WEBHOOK_STRIPE_ACCOUNTS: "default" is the account of POST /webhooks/stripe itself');
  return names;
}

/** `WEBHOOK_STRIPE_<A>`: an account's settings prefix (upper case, dashes as underscores). */
function accountVariable(account: string): string {
  return `WEBHOOK_STRIPE_${account.toUpperCase().replace(/-/g, '_')}`;
}

function readAccounts(settings: SettingsReader): ReadonlyMap<string, readonly WebhookSecret[]> {
  const accounts = new Map<string, readonly WebhookSecret[]>();
  for (const account of stripeAccountNames(settings)) {
    const variable = accountVariable(account);
    accounts.set(account, webhookSecrets(settings.secretFile(`${variable}_SECRET`), settings.optionalSecretFile(`${variable}_PREVIOUS_SECRET`)));
  }
  return accounts;
}

function readCatchUp(settings: SettingsReader, accountNames: readonly string[]): Pick<IngressSettings, 'catchUp'> {
  if (settings.optionalText('PSP_API_URL', /^https?:\/\/.+/) === undefined) return {};
  const api = { apiUrl: settings.url('PSP_API_URL'), timeout_ms: settings.integer('PSP_TIMEOUT_MS', { min: 100, max: 60_000, default: 10_000 }) };
  const accounts = new Map<string, PspApiSettings>([['default', { ...api, apiKey: settings.secretFile('PSP_API_KEY') }]]);
  for (const account of accountNames) {
    const apiKey = settings.optionalSecretFile(`${accountVariable(account)}_API_KEY`);
    if (apiKey !== undefined) accounts.set(account, { ...api, apiKey });
  }
  return {
    catchUp: {
      accounts,
      interval_ms: settings.integer('WEBHOOK_CATCH_UP_INTERVAL_MS', { min: 1_000, max: 24 * 3_600_000, default: 15 * 60_000 }),
      maxPages: settings.integer('WEBHOOK_CATCH_UP_MAX_PAGES', { min: 1, max: 1_000, default: 100 }),
      // How far back the first catch-up of an empty database reads (default 3 days: Stripe's retry horizon).
      firstWindow_ms: settings.integer('WEBHOOK_CATCH_UP_FIRST_WINDOW_MS', { min: 60_000, max: 30 * 24 * 3_600_000, default: 3 * 24 * 3_600_000 }),
    },
  };
}
