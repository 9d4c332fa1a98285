import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@txn/testing';
import { replayDeadLetters, showDeadLetter, type DeadLetterAdminOptions } from '../../src';
import type { BackbonePair } from './backbone-pair';
import { BOOKING_HELD_V2_SCHEMA, bookingHeld, bookingIds, interleavedTransactions, type WrittenEvent } from './bookings';
import { expectEveryEventAppliedOnceInOrder, sorted } from './invariants';
import { CONTRACT_RETRY, ContractWorld, PARTITIONS, type Stream } from './world';

// The messaging backbone's contract, end to end on the real stack: service transaction → outbox →
// relay → Kafka → inbox consumer → handler. Every producer/consumer pair (one Kafka client's
// RecordPublisher and ConsumerTransport) must pass it; a pair's *.int-spec.ts calls
// defineBackboneContract once. Each case gets its own database, 8-partition topic, subject and
// group(s), and ends with the same invariant: every event applied exactly once, in order per key.

/** Waits for a whole flow (group join, relay, consumption) on a loaded 2-core machine. */
const FLOW_TIMEOUT_MS = 45_000;
/** Per case: the flow waits plus set-up and clean-up, with room to spare. */
const CASE_TIMEOUT_MS = 120_000;
const POLL_MS = 100;
/** A drain that handles nothing more for this long is stuck (a rebalance settles within a session timeout). */
const STALL_MS = 20_000;
/** Two rebalances while production continues, then the drain of what a busy machine left behind. */
const REBALANCE_CASE_TIMEOUT_MS = 180_000;

/** Case 4: a round (one transaction, two versions of every booking) every this many ms. */
const PRODUCTION_PAUSE_MS = 40;
/** Case 4: production stops here even if a phase is slow, so the case stays bounded. */
const MAX_PRODUCED_EVENTS = 12_000;

export function defineBackboneContract(pair: BackbonePair): void {
  describe(`backbone contract (${pair.name}): outbox → relay → Kafka → inbox, each event applied once, in order per key`, () => {
    let world: ContractWorld;

    beforeAll(async () => {
      world = await ContractWorld.create(pair);
    });

    afterEach(async () => {
      await world?.endTest();
    });

    afterAll(async () => {
      await world?.dispose();
    });

    async function appliedAtLeast(stream: Stream, group: string, count: number, member: string): Promise<true | undefined> {
      return (await world.appliedCount(stream, group, member)) >= count ? true : undefined;
    }

    /** Waits on the inbox, not on `applied`: a pair that breaks the order fails fast on the invariant, not on a timeout. */
    async function handledAtLeast(stream: Stream, group: string, count: number): Promise<true | undefined> {
      return (await world.handledCount(stream, group)) >= count ? true : undefined;
    }

    it(
      'keeps per-key order over many partitions: 40 bookings × 25 versions, interleaved, in 20-event transactions',
      async () => {
        const stream = await world.stream('order');
        const group = world.group('order');
        const member = await world.member(stream, { group, name: 'only' });
        (await world.relay(stream, 'order')).start();

        const written = await world.writeAll(stream, interleavedTransactions(bookingIds(40), 1, 25, 20));
        expect(written).toHaveLength(1_000);
        await waitFor(`${written.length} events handled`, () => handledAtLeast(stream, group, written.length), FLOW_TIMEOUT_MS, POLL_MS);

        const rows = await expectEveryEventAppliedOnceInOrder(world, stream, group, written);
        expect(member.outcomes('stale')).toEqual([]);
        // 40 random keys on 8 partitions: fewer than 4 partitions used is a ~1e-16 accident.
        expect(new Set(rows.map((row) => row.partition)).size).toBeGreaterThanOrEqual(PARTITIONS / 2);
      },
      CASE_TIMEOUT_MS,
    );

    it(
      'absorbs a relay crash between publish and mark-sent: the republished batch arrives as duplicates, each applied once',
      async () => {
        const stream = await world.stream('relaycrash');
        const group = world.group('relaycrash');
        const member = await world.member(stream, { group, name: 'only' });
        const written = await world.writeAll(stream, interleavedTransactions(bookingIds(16), 1, 10, 16));

        let crashedBatch: string[] = [];
        const crashing = await world.relay(stream, 'crashing', {
          maxBatchSize: 50,
          faults: {
            afterPublish: (rows) => {
              crashedBatch = rows.map((row) => row.eventId);
              throw new Error('simulated crash after publish, before mark-sent');
            },
          },
        });
        await expect(crashing.runOnce()).rejects.toThrow('simulated crash');
        expect(crashedBatch).toEqual(written.slice(0, 50).map((event) => event.eventId));
        expect(await world.unsentCount(stream)).toBe(written.length);

        (await world.relay(stream, 'successor')).start();
        await waitFor(
          'every event handled and the crashed batch seen again',
          async () => ((await handledAtLeast(stream, group, written.length)) && member.outcomes('duplicate').length >= crashedBatch.length ? true : undefined),
          FLOW_TIMEOUT_MS,
          POLL_MS,
        );
        expect(sorted(member.outcomes('duplicate'))).toEqual(sorted(crashedBatch));
        expect(member.outcomes('stale')).toEqual([]);
        await expectEveryEventAppliedOnceInOrder(world, stream, group, written);
      },
      CASE_TIMEOUT_MS,
    );

    it(
      'absorbs a consumer crash between its transaction and its offset commit: the successor records the redelivery as duplicate',
      async () => {
        const stream = await world.stream('consumercrash');
        const group = world.group('consumercrash');
        (await world.relay(stream, 'relay')).start();
        const written = await world.writeAll(stream, interleavedTransactions(bookingIds(8), 1, 10, 8));
        await waitFor('the outbox relayed', async () => ((await world.unsentCount(stream)) === 0 ? true : undefined), FLOW_TIMEOUT_MS, POLL_MS);

        // A process that dies after each inbox commit and before the offset commit never commits
        // an offset: the hook throws every time, and the member is then stopped.
        let crashes = 0;
        const crashed = await world.member(stream, {
          group,
          name: 'crashed',
          hooks: {
            beforeOffsetCommit: () => {
              crashes += 1;
              throw new Error('simulated crash between the inbox commit and the offset commit');
            },
          },
        });
        await waitFor('the member applied events and then "crashed"', async () => (crashes > 0 && (await appliedAtLeast(stream, group, 1, 'crashed')) ? true : undefined), FLOW_TIMEOUT_MS, POLL_MS);
        await crashed.stop();
        const appliedBeforeCrash = (await world.applied(stream, group)).map((row) => row.eventId);

        const successor = await world.member(stream, { group, name: 'successor' });
        await waitFor(
          'every event handled and every earlier application redelivered',
          async () => ((await handledAtLeast(stream, group, written.length)) && successor.outcomes('duplicate').length >= appliedBeforeCrash.length ? true : undefined),
          FLOW_TIMEOUT_MS,
          POLL_MS,
        );
        expect(appliedBeforeCrash.length).toBeGreaterThan(0);
        expect(sorted(successor.outcomes('duplicate'))).toEqual(sorted(appliedBeforeCrash));
        expect(sorted(successor.outcomes('applied'))).toEqual(sorted(written.map((event) => event.eventId).filter((id) => !appliedBeforeCrash.includes(id))));
        await expectEveryEventAppliedOnceInOrder(world, stream, group, written);
      },
      CASE_TIMEOUT_MS,
    );

    /**
     * The backlog a busy machine left (production outran the consumers while the group changed):
     * waited on while the handled count keeps rising, failed as soon as it stalls for STALL_MS.
     * A slow drain is not a broken one; a stuck one stops rising.
     */
    async function drained(stream: Stream, group: string, count: number): Promise<void> {
      let best = -1;
      let progressed_ms = Date.now();
      for (;;) {
        const handled = await world.handledCount(stream, group);
        if (handled >= count) return;
        if (handled > best) [best, progressed_ms] = [handled, Date.now()];
        else if (Date.now() - progressed_ms > STALL_MS) throw new Error(`${handled} of ${count} produced events handled, none more for ${STALL_MS} ms`);
        await sleep(POLL_MS);
      }
    }

    it(
      'survives two rebalances mid-stream (a member joins, then the first leaves) while production continues',
      async () => {
        const stream = await world.stream('rebalance');
        const group = world.group('rebalance');
        (await world.relay(stream, 'relay')).start();
        const first = await world.member(stream, { group, name: 'first' });

        const bookings = bookingIds(24);
        const written: WrittenEvent[] = [];
        let producing = true;
        const production = (async (): Promise<void> => {
          // Each transaction holds two consecutive versions of every booking.
          for (let version = 1; producing && written.length < MAX_PRODUCED_EVENTS; version += 2) {
            written.push(...(await world.write(stream, interleavedTransactions(bookings, version, version + 1, bookings.length * 2).flat())));
            // Pacing, not synchronisation: production keeps going while the group changes.
            await sleep(PRODUCTION_PAUSE_MS);
          }
        })();
        // Observed at once so a failed write is no unhandled rejection; `await production` rethrows it.
        production.catch(() => undefined);
        try {
          await waitFor('the first member consuming', () => appliedAtLeast(stream, group, 100, 'first'), FLOW_TIMEOUT_MS, POLL_MS);
          const second = await world.member(stream, { group, name: 'second' });
          await waitFor('the second member consuming after the rebalance', () => appliedAtLeast(stream, group, 50, 'second'), FLOW_TIMEOUT_MS, POLL_MS);
          await first.stop();
          const secondAtLeave = await world.appliedCount(stream, group, 'second');
          await waitFor('the second member consuming alone after the first left', () => appliedAtLeast(stream, group, secondAtLeave + 100, 'second'), FLOW_TIMEOUT_MS, POLL_MS);
          expect(second.outcomes('stale')).toEqual([]);
        } finally {
          producing = false;
          await production;
        }
        await drained(stream, group, written.length);
        expect(first.outcomes('stale')).toEqual([]);

        const rows = await expectEveryEventAppliedOnceInOrder(world, stream, group, written);
        const byMember = new Set(rows.map((row) => row.member));
        expect(byMember).toEqual(new Set(['first', 'second']));
      },
      REBALANCE_CASE_TIMEOUT_MS,
    );

    it(
      'dead-letters a poison message with its headers while later events flow, and applies it once after replay (twice is harmless)',
      async () => {
        const stream = await world.stream('poison');
        const group = world.group('poison');
        const deadLetterTopic = world.deadLetterTopic(stream, group);
        const admin: DeadLetterAdminOptions = { brokers: world.brokers, clientId: `contract-dlq-${world.scope.id}` };
        (await world.relay(stream, 'relay')).start();
        const poisonIds = new Set<string>();
        let fixed = false;
        const member = await world.member(stream, { group, name: 'only', isPoison: (message) => !fixed && poisonIds.has(message.eventId) });

        // Phase 1 teaches the suite which bookings share a partition (the client's partitioner decides).
        const bookings = bookingIds(40);
        const written = await world.writeAll(stream, interleavedTransactions(bookings, 1, 4, 40));
        await waitFor('phase 1 handled', () => handledAtLeast(stream, group, written.length), FLOW_TIMEOUT_MS, POLL_MS);
        const partitionOf = new Map((await world.applied(stream, group)).map((row) => [row.bookingId, row.partition]));
        // 40 bookings on 8 partitions: the fullest partition holds at least 5 of them.
        const onPartition = (partition: number): string[] => bookings.filter((booking) => partitionOf.get(booking) === partition);
        const fullest = Array.from({ length: PARTITIONS }, (_, partition) => partition).sort((a, b) => onPartition(b).length - onPartition(a).length)[0] ?? 0;
        const [poisonBooking, ...partitionMates] = onPartition(fullest);
        if (poisonBooking === undefined) throw new Error('no booking on the fullest partition');
        expect(partitionMates.length).toBeGreaterThanOrEqual(4);

        // Phase 2: the poison first, then version 5 of every other booking, in one transaction.
        const poison = bookingHeld(poisonBooking, 5);
        poisonIds.add(poison.written.eventId);
        const others = bookings.filter((booking) => booking !== poisonBooking).map((booking) => bookingHeld(booking, 5));
        written.push(...(await world.write(stream, [poison, ...others])));
        await waitFor(
          'the poison parked and every later event handled',
          async () => (member.outcomes('dead_lettered').includes(poison.written.eventId) && (await handledAtLeast(stream, group, written.length - 1)) ? true : undefined),
          FLOW_TIMEOUT_MS,
          POLL_MS,
        );

        const [parked] = await showDeadLetter(admin, deadLetterTopic);
        expect(parked).toMatchObject({ offset: '0', key: poisonBooking, eventId: poison.written.eventId, eventType: 'BookingHeld', replayed: false });
        expect(parked?.failure).toMatchObject({
          originalTopic: stream.topic,
          originalPartition: fullest,
          consumerGroup: group,
          attempts: CONTRACT_RETRY.maxAttempts,
          errorClass: 'PoisonError',
          reason: 'handler-failed',
        });
        // The poison's partition did not stall: its partition mates' later events were applied after it.
        const originalOffset = BigInt(parked?.failure?.originalOffset ?? '-1');
        const matesAfter = (await world.applied(stream, group)).filter((row) => row.version === 5 && partitionMates.includes(row.bookingId));
        expect(matesAfter).toHaveLength(partitionMates.length);
        expect(matesAfter.filter((row) => row.partition !== fullest || BigInt(row.offset) <= originalOffset)).toEqual([]);
        expect((await world.lastVersions(stream, group)).get(poisonBooking)).toBe(4);

        fixed = true;
        expect(await replayDeadLetters(admin, deadLetterTopic, { all: true })).toMatchObject({ replayedOffsets: ['0'], remaining: 0 });
        await waitFor('the replayed poison handled', () => handledAtLeast(stream, group, written.length), FLOW_TIMEOUT_MS, POLL_MS);
        // Replaying again: `--all` has nothing left; an explicit offset re-publishes, the inbox drops it.
        expect(await replayDeadLetters(admin, deadLetterTopic, { all: true })).toMatchObject({ replayedOffsets: [] });
        expect(await replayDeadLetters(admin, deadLetterTopic, { offset: '0' })).toMatchObject({ replayedOffsets: ['0'] });
        await waitFor('the second replay recorded as duplicate', () => (member.outcomes('duplicate').includes(poison.written.eventId) ? true : undefined), FLOW_TIMEOUT_MS, POLL_MS);

        expect(member.outcomes('stale')).toEqual([]);
        expect(member.outcomes('dead_lettered')).toEqual([poison.written.eventId]);
        await expectEveryEventAppliedOnceInOrder(world, stream, group, written);
      },
      CASE_TIMEOUT_MS,
    );

    it(
      'applies events across a schema evolution: v2 writers to a v1 reader, v1 writers to a v2 reader',
      async () => {
        const stream = await world.stream('evolution');
        await world.register(stream, BOOKING_HELD_V2_SCHEMA);
        const oldGroup = world.group('evolution-v1-reader');
        const newGroup = world.group('evolution-v2-reader');
        await world.member(stream, { group: oldGroup, name: 'v1-reader' });
        await world.member(stream, { group: newGroup, name: 'v2-reader', readerSchema: BOOKING_HELD_V2_SCHEMA });
        (await world.relay(stream, 'relay')).start();

        // Odd versions from an upgraded producer (v2, with a promotion code), even ones from an old one (v1).
        const written = await world.writeAll(
          stream,
          interleavedTransactions(bookingIds(10), 1, 4, 10, (booking, version) => (version % 2 === 1 ? bookingHeld(booking, version, `PROMO-${version}`) : bookingHeld(booking, version))),
        );
        await waitFor(
          'both readers handled every event',
          async () => ((await handledAtLeast(stream, oldGroup, written.length)) && (await handledAtLeast(stream, newGroup, written.length)) ? true : undefined),
          FLOW_TIMEOUT_MS,
          POLL_MS,
        );

        const oldRows = await expectEveryEventAppliedOnceInOrder(world, stream, oldGroup, written);
        const newRows = await expectEveryEventAppliedOnceInOrder(world, stream, newGroup, written);
        // The v1 reader never sees the new field; the v2 reader gets it, or its default from v1 writers.
        expect(oldRows.filter((row) => row.hasPromoCode)).toEqual([]);
        const writtenPromo = new Map(written.map((event) => [event.eventId, event.promoCode ?? null]));
        expect(newRows.map((row) => [row.eventId, row.hasPromoCode, row.promoCode])).toEqual(newRows.map((row) => [row.eventId, true, writtenPromo.get(row.eventId)]));
        expect(newRows.filter((row) => row.promoCode !== null)).toHaveLength(written.length / 2);
      },
      CASE_TIMEOUT_MS,
    );
  });
}
