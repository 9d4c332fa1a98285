import { splitFee } from '@txn/ledger-domain';
import type { Money } from '@txn/money';

/** Platform fee rates: per merchant, else the default; the ledger's split, so both agree to the minor unit. */
export interface FeeSchedule {
  readonly defaultBps: number;
  readonly byMerchant: Readonly<Record<string, number>>;
}

export function platformFeeOf(schedule: FeeSchedule, tenantId: string): (captured: Money) => Money {
  const bps = schedule.byMerchant[tenantId] ?? schedule.defaultBps;
  return (captured) => {
    const split = splitFee(captured, bps);
    // Settings are validated at start-up and captures never exceed the authorization: a bug.
    if (split.outcome !== 'applied') throw new Error(`fee split of ${captured.amountMinor} ${captured.currency} at ${bps} bps refused: ${split.detail}`);
    return split.value.platformFee;
  };
}
