/** One partition of one group's subscription, as seen from outside the group. */
export interface PartitionLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset (the next record it will read), or null when it never committed here. */
  readonly committed: bigint | null;
  /** The partition's log end offset (the next offset to be written). */
  readonly end: bigint;
  /** Records written and not yet consumed by the group. */
  readonly lag: bigint;
  /** How old the oldest unconsumed record is, in seconds (0 when nothing waits; null when it could not be read). */
  readonly lagSeconds: number | null;
}

export interface GroupLag {
  readonly group: string;
  /** Kafka's state: Stable, PreparingRebalance, CompletingRebalance, Empty (no member alive), Dead. */
  readonly state: string;
  readonly members: number;
  readonly partitions: readonly PartitionLag[];
}

/**
 * Records a group has not consumed yet: from its committed offset to the end, or — when it never
 * committed on the partition — from the oldest record still there (what it would read first).
 */
export function offsetLag(committed: bigint | null, low: bigint, end: bigint): bigint {
  const from = committed === null || committed < low ? low : committed;
  return end > from ? end - from : 0n;
}

/** Where the oldest unconsumed record sits: the committed offset, or the oldest record kept. */
export function oldestUnconsumedOffset(committed: bigint | null, low: bigint): bigint {
  return committed === null || committed < low ? low : committed;
}

/** Time lag from the oldest unconsumed record's timestamp (never negative: clocks of producer and reader differ). */
export function timeLagSeconds(oldestTimestamp_ms: number | undefined, now_ms: number, lag: bigint): number | null {
  if (lag === 0n) return 0;
  if (oldestTimestamp_ms === undefined) return null;
  return Math.max(0, (now_ms - oldestTimestamp_ms) / 1000);
}
