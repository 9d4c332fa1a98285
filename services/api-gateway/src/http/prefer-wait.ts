import type { Response } from 'express';
import type { ChangeSubscription } from '../read-models/change-listener';

/** The longest `Prefer: wait=N` honoured: a longer one is cut to this (and Preference-Applied says so). */
export const MAX_WAIT_SECONDS = 30;
/** Even with no notification (the LISTEN connection lost), a waiting request re-reads this often. */
export const FALLBACK_REREAD_MS = 5_000;

/** `Prefer: wait=N` (RFC 7240), bounded; undefined when the client did not ask to wait. */
export function preferredWaitSeconds(prefer: string | undefined): number | undefined {
  const match = prefer === undefined ? null : /(?:^|[,;\s])wait=(\d{1,6})(?:$|[,;\s])/i.exec(prefer);
  if (match === null) return undefined;
  return Math.min(Number(match[1]), MAX_WAIT_SECONDS);
}

/** A version as a weak ETag: the row's aggregate version (decision 0025). */
export function etagOf(version: bigint): string {
  return `W/"v${version}"`;
}

/** The version an If-None-Match names (ours: W/"v<n>" or "v<n>"); undefined for anything else. */
export function versionInIfNoneMatch(header: string | undefined): bigint | undefined {
  const match = header === undefined ? null : /^(?:W\/)?"v(\d{1,18})"$/.exec(header.trim());
  return match === null ? undefined : BigInt(match[1] ?? '0');
}

export interface Versioned {
  readonly version: bigint;
  readonly status: string;
}

export interface WaitRequest<T extends Versioned> {
  readonly read: () => Promise<T | null>;
  readonly subscription: ChangeSubscription;
  /** Answer once the row is above this version; default: the version found at first read. */
  readonly afterVersion: bigint | undefined;
  readonly wait_s: number;
  readonly terminal: ReadonlySet<string>;
}

/**
 * Reads the row, then, while it is not past `afterVersion` nor terminal and time is left, sleeps
 * until a NOTIFY for it arrives (or the fallback period passes) and reads again. No busy polling:
 * a notified change answers within one read; the fallback bounds what a lost notification costs.
 */
export async function readWhenChanged<T extends Versioned>(request: WaitRequest<T>): Promise<T | null> {
  const deadline = Date.now() + request.wait_s * 1_000;
  let row = await request.read();
  if (row === null) return null;
  const base = request.afterVersion ?? row.version;
  while (row.version <= base && !request.terminal.has(row.status) && Date.now() < deadline) {
    const woken = await request.subscription.next(Math.min(FALLBACK_REREAD_MS, deadline - Date.now()));
    row = (await request.read()) ?? row;
    // Shutting down: answer what we have now rather than re-read until the deadline.
    if (woken === 'closed') break;
  }
  return row;
}

/** The freshness headers of a single resource: ETag (its version) and the time of the last event applied. */
export function setFreshnessHeaders(response: Response, row: { version: bigint; lastEventAt: Date | null }, waited: number | undefined): void {
  response.setHeader('ETag', etagOf(row.version));
  if (row.lastEventAt !== null) response.setHeader('Last-Event-At', row.lastEventAt.toISOString());
  if (waited !== undefined) {
    response.setHeader('Preference-Applied', `wait=${waited}`);
    response.setHeader('Vary', 'Prefer');
  }
}
