import { etagOf, MAX_WAIT_SECONDS, pageTagInIfNoneMatch, pageTagOf, preferredWaitSeconds, readPageWhenChanged, readWhenChanged, versionInIfNoneMatch, type Versioned } from './prefer-wait';
import type { ChangeSubscription } from '../read-models/change-listener';

describe('Prefer: wait', () => {
  it.each([
    [undefined, undefined],
    ['respond-async', undefined],
    ['wait=5', 5],
    ['respond-async, wait=12', 12],
    ['WAIT=3', 3],
    ['wait=0', 0],
    ['wait=600', MAX_WAIT_SECONDS],
    ['wait=-1', undefined],
    ['wait=abc', undefined],
    ['nowait=5', undefined],
  ])('reads %p as %p seconds (bounded)', (header, seconds) => {
    expect(preferredWaitSeconds(header)).toBe(seconds);
  });

  it('names a version as a weak ETag and reads it back from If-None-Match; anything else names none', () => {
    expect(etagOf(7n)).toBe('W/"v7"');
    expect(versionInIfNoneMatch('W/"v7"')).toBe(7n);
    expect(versionInIfNoneMatch('"v12"')).toBe(12n);
    for (const other of [undefined, '*', 'W/"7"', '"v7", "v8"', 'v7']) expect(versionInIfNoneMatch(other)).toBeUndefined();
  });
});

describe('readWhenChanged', () => {
  const subscription = (onNext: () => void): ChangeSubscription => ({
    next: () => {
      onNext();
      return Promise.resolve('notified');
    },
    close: () => undefined,
  });

  it('answers the row once it is past the named version, re-reading only when woken', async () => {
    let version = 1n;
    let reads = 0;
    const row = await readWhenChanged<Versioned>({
      read: () => {
        reads += 1;
        return Promise.resolve({ version, status: 'HELD' });
      },
      subscription: subscription(() => (version += 1n)),
      afterVersion: 2n,
      wait_s: 10,
      terminal: new Set(),
    });
    expect(row).toEqual({ version: 3n, status: 'HELD' });
    expect(reads).toBe(3);
  });

  it('answers a terminal row at once, and a missing one as null', async () => {
    const woken = jest.fn();
    const terminal = await readWhenChanged<Versioned>({ read: () => Promise.resolve({ version: 4n, status: 'CANCELLED' }), subscription: subscription(woken), afterVersion: 9n, wait_s: 10, terminal: new Set(['CANCELLED']) });
    expect(terminal?.status).toBe('CANCELLED');
    expect(await readWhenChanged<Versioned>({ read: () => Promise.resolve(null), subscription: subscription(woken), afterVersion: undefined, wait_s: 10, terminal: new Set() })).toBeNull();
    expect(woken).not.toHaveBeenCalled();
  });

  it('stops waiting at shutdown with the row as it is', async () => {
    let reads = 0;
    const closing: ChangeSubscription = { next: () => Promise.resolve('closed'), close: () => undefined };
    const row = await readWhenChanged<Versioned>({
      read: () => {
        reads += 1;
        return Promise.resolve({ version: 1n, status: 'HELD' });
      },
      subscription: closing,
      afterVersion: undefined,
      wait_s: 30,
      terminal: new Set(),
    });
    expect(row).toEqual({ version: 1n, status: 'HELD' });
    expect(reads).toBe(2);
  });

  it('gives up at the deadline with the row as it is', async () => {
    const timedOut: ChangeSubscription = { next: (timeout_ms) => new Promise((resolve) => setTimeout(() => resolve('timeout'), timeout_ms)), close: () => undefined };
    const started = Date.now();
    const row = await readWhenChanged<Versioned>({ read: () => Promise.resolve({ version: 1n, status: 'HELD' }), subscription: timedOut, afterVersion: undefined, wait_s: 1, terminal: new Set() });
    expect(row).toEqual({ version: 1n, status: 'HELD' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('a list page\'s tag and Prefer: wait on lists', () => {
  const rows = [
    { id: 'b-2', version: 3n },
    { id: 'b-1', version: 1n },
  ];

  it('changes with any row on the page moving, a row entering or leaving, or the next page moving; reads back from If-None-Match', () => {
    const tag = pageTagOf(rows, null);
    expect(tag).toMatch(/^W\/"p[0-9a-f]{24}"$/);
    expect(pageTagOf([...rows], null)).toBe(tag);
    expect(pageTagOf([{ id: 'b-2', version: 4n }, { id: 'b-1', version: 1n }], null)).not.toBe(tag);
    expect(pageTagOf(rows.slice(1), null)).not.toBe(tag);
    expect(pageTagOf([{ id: 'b-3', version: 1n }, ...rows], null)).not.toBe(tag);
    expect(pageTagOf(rows, 'cursor')).not.toBe(tag);
    expect(pageTagInIfNoneMatch(tag)).toBe(tag);
    expect(pageTagInIfNoneMatch(tag.slice(2))).toBe(tag);
    for (const other of [undefined, '*', 'W/"v7"', 'W/"pxyz"', `${tag}, ${tag}`]) expect(pageTagInIfNoneMatch(other)).toBeUndefined();
  });

  it('answers once the page differs from the one named, ignoring wakes that leave it unchanged', async () => {
    let reads = 0;
    let wakes = 0;
    const page = await readPageWhenChanged({
      // Woken twice by changes elsewhere (same page), then the page changes.
      read: () => Promise.resolve((reads += 1) >= 4 ? [{ id: 'b-1', version: 2n }] : [{ id: 'b-1', version: 1n }]),
      tagOf: (found) => pageTagOf(found, null),
      subscription: { next: () => Promise.resolve(((wakes += 1), 'notified')), close: () => undefined },
      afterTag: undefined,
      wait_s: 5,
    });
    expect(page).toEqual([{ id: 'b-1', version: 2n }]);
    expect(wakes).toBe(3);
  });

  it('answers at once when the page already differs from the tag the client has, and at the deadline with the page as it is', async () => {
    const stale = pageTagOf([{ id: 'b-1', version: 1n }], null);
    let wakes = 0;
    const subscription = { next: () => Promise.resolve(((wakes += 1), 'timeout' as const)), close: () => undefined };
    const moved = await readPageWhenChanged({ read: () => Promise.resolve([{ id: 'b-1', version: 2n }]), tagOf: (found) => pageTagOf(found, null), subscription, afterTag: stale, wait_s: 5 });
    expect(moved).toEqual([{ id: 'b-1', version: 2n }]);
    expect(wakes).toBe(0);
    const unchanged = await readPageWhenChanged({ read: () => Promise.resolve([{ id: 'b-1', version: 1n }]), tagOf: (found) => pageTagOf(found, null), subscription, afterTag: stale, wait_s: 0 });
    expect(unchanged).toEqual([{ id: 'b-1', version: 1n }]);
  });
});
