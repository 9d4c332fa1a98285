import { MAX_FEE_BPS } from '@txn/ledger-domain';
import type { SettingsReader } from '@txn/service-kit';

/** Ledger's own settings, validated with the shared ones at start-up. */
export interface LedgerSettings {
  /**
   * Platform fee in basis points for merchants without their own rate: PLATFORM_FEE_BPS, default
   * 1000 (10 %). Same name and default as the payment service's: a capture whose fee disagrees is
   * refused (PLATFORM_FEE_MISMATCH), so both services must be given the same rates.
   */
  readonly platformFeeBps: number;
  /** Per-merchant rates, as payment reads them: PLATFORM_FEE_BPS_BY_MERCHANT="merchant-1:500,merchant-2:750". */
  readonly platformFeeBpsByMerchant: Readonly<Record<string, number>>;
  /** Pause between hold-expiry sweeps when the last one found less than a full batch. */
  readonly holdExpirySweepInterval_ms: number;
  /** Holds expired per transaction: bounds the sweeper's locks and its transaction's length. */
  readonly holdExpiryBatchSize: number;
  /**
   * A hold is expired by the sweeper only this long after its `expiresAt`. The handlers decide by
   * the event's own time, so a capture that happened before the deadline but reaches a lagging
   * consumer later still finds its hold; the grace is the consumer lag tolerated.
   */
  readonly holdExpiryGrace_ms: number;
}

export const DEFAULT_PLATFORM_FEE_BPS = 1_000;
export const DEFAULT_HOLD_EXPIRY_SWEEP_INTERVAL_MS = 5_000;
export const DEFAULT_HOLD_EXPIRY_BATCH_SIZE = 100;
export const MAX_HOLD_EXPIRY_BATCH_SIZE = 1_000;
export const DEFAULT_HOLD_EXPIRY_GRACE_MS = 15 * 60_000;
const MAX_HOLD_EXPIRY_GRACE_MS = 7 * 24 * 3_600_000;
const MAX_MERCHANT_FEE_ENTRIES = 1_000;
/** Empty, or merchant:bps entries separated by commas, bps in 0..10000 (the payment service's form). */
const MERCHANT_FEES = /^$|^[^:,\s]+:(10000|\d{1,4})(,[^:,\s]+:(10000|\d{1,4})){0,999}$/;

/** `merchant:bps,merchant:bps`; the reader's pattern has already checked the form. */
export function parseMerchantFees(text: string): Record<string, number> {
  const fees: Record<string, number> = {};
  if (text === '') return fees;
  for (const entry of text.split(',').slice(0, MAX_MERCHANT_FEE_ENTRIES)) {
    const [merchant, bps] = entry.split(':');
    if (merchant !== undefined && merchant !== '' && bps !== undefined) fees[merchant] = Number(bps);
  }
  return fees;
}

/** The merchant's rate, else the default: what the capture handler's `feeBpsOf` answers. */
export function feeBpsOf(settings: Pick<LedgerSettings, 'platformFeeBps' | 'platformFeeBpsByMerchant'>): (tenantId: string) => number {
  // A Map, not the record: a tenant named "constructor" must not find Object's prototype.
  const byMerchant = new Map(Object.entries(settings.platformFeeBpsByMerchant));
  return (tenantId) => byMerchant.get(tenantId) ?? settings.platformFeeBps;
}

export function readLedgerSettings(settings: SettingsReader): LedgerSettings {
  return {
    platformFeeBps: settings.integer('PLATFORM_FEE_BPS', { min: 0, max: MAX_FEE_BPS, default: DEFAULT_PLATFORM_FEE_BPS }),
    platformFeeBpsByMerchant: parseMerchantFees(settings.text('PLATFORM_FEE_BPS_BY_MERCHANT', { default: '', pattern: MERCHANT_FEES })),
    holdExpirySweepInterval_ms: settings.integer('LEDGER_HOLD_EXPIRY_SWEEP_INTERVAL_MS', { min: 10, max: 600_000, default: DEFAULT_HOLD_EXPIRY_SWEEP_INTERVAL_MS }),
    holdExpiryBatchSize: settings.integer('LEDGER_HOLD_EXPIRY_BATCH_SIZE', { min: 1, max: MAX_HOLD_EXPIRY_BATCH_SIZE, default: DEFAULT_HOLD_EXPIRY_BATCH_SIZE }),
    holdExpiryGrace_ms: settings.integer('LEDGER_HOLD_EXPIRY_GRACE_MS', { min: 0, max: MAX_HOLD_EXPIRY_GRACE_MS, default: DEFAULT_HOLD_EXPIRY_GRACE_MS }),
  };
}
