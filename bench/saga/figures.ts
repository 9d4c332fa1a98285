// Pure arithmetic over the measured samples: percentiles and summaries, nothing measured here.

export interface Distribution {
  readonly n: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of an ascending list (the value at or below which p % of samples lie). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

/** Rounded to `decimals` (0: the saga timestamps have ms resolution). Ignores missing samples. */
export function distribution(samples: readonly (number | undefined)[], decimals = 0): Distribution {
  const round = (value: number): number => Number(value.toFixed(decimals));
  const sorted = samples.filter((value): value is number => value !== undefined && Number.isFinite(value)).sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    n: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : round(sum / sorted.length),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

/** `later - earlier` when both are known. */
export function between(earlier: number | undefined, later: number | undefined): number | undefined {
  return earlier === undefined || later === undefined ? undefined : later - earlier;
}
