import { etagOf, MAX_WAIT_SECONDS, preferredWaitSeconds, readWhenChanged, versionInIfNoneMatch, type Versioned } from './prefer-wait';
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
