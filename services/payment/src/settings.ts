import { createHash } from 'node:crypto';
import { DEFAULT_CALL_RETRY_POLICY, feeSchedule, MAX_CALL_ATTEMPTS_LIMIT, type CallRetryPolicy, type FeeSchedule } from '@txn/payment-domain';
import type { SettingsReader } from '@txn/service-kit';

/** Payment's own settings, validated with the shared ones at start-up. */
export interface PaymentSettings {
  readonly psp: PspSettings;
  /**
   * The platform's fee rates: PLATFORM_FEE_BPS for merchants without their own rate (default 1000 =
   * 10 %), PLATFORM_FEE_BPS_BY_MERCHANT="merchant-1:500,merchant-2:750" for the others. Its version
   * is derived from the rates (feeScheduleVersion), so it changes whenever a rate does.
   */
  readonly feeSchedule: FeeSchedule;
  /** The payment method authorizations use until the booking flow carries the customer's own. */
  readonly paymentMethod: string;
  /** Pause between sweeps of the PSP call list when no commit notification arrives. */
  readonly callPollInterval_ms: number;
  /** Most PSP calls in flight at once: the dispatcher claims another as each one is recorded. */
  readonly callBatchSize: number;
  /**
   * How often a PSP call whose answer cannot be recorded is made (PAYMENT_CALL_MAX_ATTEMPTS, 10), how
   * long after its first failure (PAYMENT_CALL_RETRY_BASE_MS, 1 s, doubled each time) and at most
   * (PAYMENT_CALL_RETRY_MAX_MS, 10 min; a request the PSP refused as malformed waits this long).
   * Then it is parked for a person. The same bound stops the outcome poller asking about a payment
   * whose findings cannot be recorded.
   */
  readonly callRetryPolicy: CallRetryPolicy;
  /** Pause between outcome-poller sweeps. */
  readonly outcomePollInterval_ms: number;
  /**
   * Divides payment-domain's outcome query delays (1 min, 5 min, …). 1 in production; tests
   * compress the schedule (e.g. 200: the first query after 300 ms). Events still carry the
   * domain's own `resolveBy`.
   */
  readonly outcomeQueryTimeDivisor: number;
  /** Reconciliation with the PSP (docs/decisions/0029). */
  readonly recon: ReconSettings;
}

export interface ReconSettings {
  /** A scheduled run this often across all instances (PAYMENT_RECON_INTERVAL_MS, default 15 min; 0: none, only `./platform recon run`). */
  readonly interval_ms: number;
  /** Its window: authorizations from this long ago (PAYMENT_RECON_LOOKBACK_MS, default 25 h, the PSP's key lifetime and an hour)… */
  readonly lookback_ms: number;
  /** …up to this long ago (PAYMENT_RECON_SETTLE_MS, default 2 min: what is still on its way is not judged). */
  readonly settle_ms: number;
  /** How often the service looks for runs asked for by `./platform recon run` (PAYMENT_RECON_POLL_INTERVAL_MS, default 2 s). */
  readonly poll_ms: number;
  /**
   * A payment changed less than this long before a run is not judged against the ledger and the
   * booking: its events may still be on their way (PAYMENT_RECON_BOOKS_SETTLE_MS, default 30 s).
   */
  readonly booksSettle_ms: number;
}

export interface PspSettings {
  /** The PSP API (Stripe, or the fault proxy in front of the sandbox): PSP_API_URL. */
  readonly apiUrl: string;
  /** From PSP_API_KEY_FILE only. */
  readonly apiKey: string;
  /** Bound on one PSP request; past it the outcome is unknown (PSP_TIMEOUT_MS, default 10 s). */
  readonly timeout_ms: number;
}

export const DEFAULT_PLATFORM_FEE_BPS = 1_000;
export const MAX_FEE_BPS = 10_000;
export const DEFAULT_PSP_TIMEOUT_MS = 10_000;
export const MAX_PSP_TIMEOUT_MS = 60_000;
export const DEFAULT_CALL_POLL_INTERVAL_MS = 1_000;
export const DEFAULT_CALL_BATCH_SIZE = 16;
export const MAX_CALL_BATCH_SIZE = 100;
export const DEFAULT_OUTCOME_POLL_INTERVAL_MS = 1_000;
export const DEFAULT_RECON_INTERVAL_MS = 15 * 60_000;
export const DEFAULT_RECON_LOOKBACK_MS = 25 * 3_600_000;
export const DEFAULT_RECON_SETTLE_MS = 2 * 60_000;
export const DEFAULT_RECON_BOOKS_SETTLE_MS = 30_000;
const DEFAULT_RECON_POLL_INTERVAL_MS = 2_000;
export const MAX_OUTCOME_QUERY_TIME_DIVISOR = 100_000;
/** A retry waits at most an hour: a longer pause would hide a stuck call from the people watching. */
export const MAX_CALL_RETRY_MS = 3_600_000;
const MAX_MERCHANT_FEE_ENTRIES = 1_000;
/** Stripe test payment method ids, or real ones (pm_…). */
const PAYMENT_METHOD = /^pm_[A-Za-z0-9_]{1,100}$/;
/** Empty, or merchant:bps entries separated by commas, bps in 0..10000. */
const MERCHANT_FEES = /^$|^[^:,\s]+:(10000|\d{1,4})(,[^:,\s]+:(10000|\d{1,4})){0,999}$/;

/**
 * `merchant:bps,merchant:bps`, bps in 0..10000; the reader's pattern has already checked the form.
 * A Map: a merchant id is a key, never a property name (`constructor` is a merchant like any other).
 * A merchant named twice is refused: which rate was meant is not ours to guess.
 */
export function parseMerchantFees(text: string): { readonly fees: Map<string, number>; readonly repeated: readonly string[] } {
  const fees = new Map<string, number>();
  const repeated: string[] = [];
  for (const entry of text.split(',').slice(0, MAX_MERCHANT_FEE_ENTRIES)) {
    const [merchant, bps] = entry.split(':');
    if (merchant === undefined || merchant === '' || bps === undefined) continue;
    if (fees.has(merchant)) repeated.push(merchant);
    fees.set(merchant, Number(bps));
  }
  return { fees, repeated };
}

/**
 * `fs-` and the first 16 hex digits of SHA-256 over the rates in a canonical order: the same rates
 * give the same version on every instance, and any change of a rate gives a new one.
 */
export function feeScheduleVersion(defaultBps: number, byMerchant: ReadonlyMap<string, number>): string {
  const canonical = JSON.stringify({ defaultBps, byMerchant: [...byMerchant].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) });
  return `fs-${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

function readFeeSchedule(settings: SettingsReader): FeeSchedule {
  const defaultBps = settings.integer('PLATFORM_FEE_BPS', { min: 0, max: MAX_FEE_BPS, default: DEFAULT_PLATFORM_FEE_BPS });
  const { fees: byMerchant, repeated } = parseMerchantFees(settings.text('PLATFORM_FEE_BPS_BY_MERCHANT', { default: '', pattern: MERCHANT_FEES }));
  if (repeated.length > 0) settings.problem(`PLATFORM_FEE_BPS_BY_MERCHANT: names ${repeated.map((merchant) => JSON.stringify(merchant)).join(', ')} more than once`);
  return feeSchedule(feeScheduleVersion(defaultBps, byMerchant), defaultBps, byMerchant);
}

function readCallRetryPolicy(settings: SettingsReader): CallRetryPolicy {
  const maxAttempts = settings.integer('PAYMENT_CALL_MAX_ATTEMPTS', { min: 1, max: MAX_CALL_ATTEMPTS_LIMIT, default: DEFAULT_CALL_RETRY_POLICY.maxAttempts });
  const baseDelay_ms = settings.integer('PAYMENT_CALL_RETRY_BASE_MS', { min: 10, max: MAX_CALL_RETRY_MS, default: DEFAULT_CALL_RETRY_POLICY.baseDelay_ms });
  const maxDelay_ms = settings.integer('PAYMENT_CALL_RETRY_MAX_MS', { min: 10, max: MAX_CALL_RETRY_MS, default: DEFAULT_CALL_RETRY_POLICY.maxDelay_ms });
  if (maxDelay_ms < baseDelay_ms) settings.problem(`PAYMENT_CALL_RETRY_MAX_MS (${maxDelay_ms}) is below PAYMENT_CALL_RETRY_BASE_MS (${baseDelay_ms})`);
  return { maxAttempts, baseDelay_ms, maxDelay_ms: Math.max(maxDelay_ms, baseDelay_ms) };
}

export function readPaymentSettings(settings: SettingsReader): PaymentSettings {
  return {
    psp: {
      apiUrl: settings.url('PSP_API_URL'),
      apiKey: settings.secretFile('PSP_API_KEY'),
      timeout_ms: settings.integer('PSP_TIMEOUT_MS', { min: 100, max: MAX_PSP_TIMEOUT_MS, default: DEFAULT_PSP_TIMEOUT_MS }),
    },
    feeSchedule: readFeeSchedule(settings),
    paymentMethod: settings.text('PSP_PAYMENT_METHOD', { default: 'pm_card_visa', pattern: PAYMENT_METHOD }),
    callPollInterval_ms: settings.integer('PAYMENT_CALL_POLL_INTERVAL_MS', { min: 10, max: 60_000, default: DEFAULT_CALL_POLL_INTERVAL_MS }),
    callBatchSize: settings.integer('PAYMENT_CALL_BATCH_SIZE', { min: 1, max: MAX_CALL_BATCH_SIZE, default: DEFAULT_CALL_BATCH_SIZE }),
    callRetryPolicy: readCallRetryPolicy(settings),
    outcomePollInterval_ms: settings.integer('PAYMENT_OUTCOME_POLL_INTERVAL_MS', { min: 10, max: 60_000, default: DEFAULT_OUTCOME_POLL_INTERVAL_MS }),
    outcomeQueryTimeDivisor: settings.integer('PAYMENT_OUTCOME_QUERY_TIME_DIVISOR', { min: 1, max: MAX_OUTCOME_QUERY_TIME_DIVISOR, default: 1 }),
    recon: {
      interval_ms: settings.integer('PAYMENT_RECON_INTERVAL_MS', { min: 0, max: 7 * 24 * 3_600_000, default: DEFAULT_RECON_INTERVAL_MS }),
      lookback_ms: settings.integer('PAYMENT_RECON_LOOKBACK_MS', { min: 60_000, max: 31 * 24 * 3_600_000, default: DEFAULT_RECON_LOOKBACK_MS }),
      settle_ms: settings.integer('PAYMENT_RECON_SETTLE_MS', { min: 0, max: 24 * 3_600_000, default: DEFAULT_RECON_SETTLE_MS }),
      poll_ms: settings.integer('PAYMENT_RECON_POLL_INTERVAL_MS', { min: 100, max: 600_000, default: DEFAULT_RECON_POLL_INTERVAL_MS }),
      booksSettle_ms: settings.integer('PAYMENT_RECON_BOOKS_SETTLE_MS', { min: 0, max: 24 * 3_600_000, default: DEFAULT_RECON_BOOKS_SETTLE_MS }),
    },
  };
}
