import { type Checked } from '@txn/domain-kernel';
import { basisPointsOf, type CurrencyCode, type Money } from '@txn/money';
import type { FeeTermsApplied } from './fee-split';
import { accountId, type AccountCode } from './accounts';

/** Shared by the specs only (not exported from index.ts). */
export const TENANT = 'merchant-1';
export const NOW = new Date('2025-03-01T10:00:00.000Z');
export const IN_15_MINUTES = new Date(NOW.getTime() + 15 * 60_000);

export function acct(code: AccountCode, currency: CurrencyCode = 'EUR', tenantId: string = TENANT): string {
  return accountId({ code, tenantId, currency });
}

export function eur(amountMinor: bigint): Money {
  return { amountMinor, currency: 'EUR' };
}

/** A capture's fee as the payment service states it: `bps` of the captured amount, half up. */
export function feeAt(captured: Money, bps: number): { readonly platformFee: Money; readonly terms: FeeTermsApplied } {
  return { platformFee: basisPointsOf(captured, bps), terms: { feeBps: bps, feeRule: 'DEFAULT_RATE/HALF_UP', feeScheduleVersion: 'fs-test' } };
}

/** Unwraps a checked value in a test, failing with the refusal's code and detail when it was refused. */
export function must<T>(result: Checked<T>): T {
  if (result.outcome !== 'applied') throw new Error(`expected success, got ${result.refused}: ${result.detail}`);
  return result.value;
}
