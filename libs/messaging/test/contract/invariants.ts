import type { WrittenEvent } from './bookings';
import type { AppliedRow, ContractWorld, Stream } from './world';

// The backbone's promise, checked after every contract case: every event written through the
// outbox is applied exactly once, each booking's events in the order they were written, nothing lost.

function sorted(ids: Iterable<string>): string[] {
  return [...ids].sort();
}

function versionsPerBooking(entries: readonly { bookingId: string; version: number }[]): Map<string, number[]> {
  const versions = new Map<string, number[]>();
  for (const { bookingId, version } of entries) versions.set(bookingId, [...(versions.get(bookingId) ?? []), version]);
  return versions;
}

/** Returns the group's applied rows (commit order) for case-specific checks. */
export async function expectEveryEventAppliedOnceInOrder(world: ContractWorld, stream: Stream, group: string, written: readonly WrittenEvent[]): Promise<AppliedRow[]> {
  const rows = await world.applied(stream, group);

  // Exactly once, nothing lost, nothing invented.
  expect(rows).toHaveLength(written.length);
  expect(sorted(rows.map((row) => row.eventId))).toEqual(sorted(written.map((event) => event.eventId)));

  // Per booking, applied in written order: versions 1..n, each moving on from the one before.
  const expected = versionsPerBooking([...written].sort((a, b) => a.version - b.version));
  expect(versionsPerBooking(rows)).toEqual(expected);
  expect(rows.filter((row) => row.previousVersion !== row.version - 1)).toEqual([]);
  expect(await world.lastVersions(stream, group)).toEqual(new Map([...expected].map(([booking, versions]) => [booking, Math.max(...versions)])));

  // One booking, one partition (the key decides it, whichever client produced it).
  const partitions = new Map<string, Set<number>>();
  for (const row of rows) partitions.set(row.bookingId, (partitions.get(row.bookingId) ?? new Set()).add(row.partition));
  expect([...partitions].filter(([, seen]) => seen.size > 1)).toEqual([]);

  // The inbox agrees: one row per event, every one applied (none stale, rejected or unrecorded).
  expect(await world.inboxOutcomes(stream, group)).toEqual({ applied: written.length });
  return rows;
}

export { sorted };
