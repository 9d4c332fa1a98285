import { createHash } from 'node:crypto';
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

/**
 * A page's entity tag: what is on it (each row's id and version, in order, and where the next page
 * starts). Any change a reader of this page could see (a row on it moved, a row entered or left the
 * filter) changes it; a change elsewhere in the merchant's data does not.
 */
export function pageTagOf(rows: readonly { readonly id: string; readonly version: bigint }[], nextCursor: string | null): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${row.id}:${row.version};`);
  hash.update(`next:${nextCursor ?? ''}`);
  return `W/"p${hash.digest('hex').slice(0, 24)}"`;
}

/** The page tag an If-None-Match names (ours: W/"p<hex>"); undefined for anything else. */
export function pageTagInIfNoneMatch(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^(?:W\/)?"(p[0-9a-f]{24})"$/.exec(header.trim());
  return match === null ? undefined : `W/"${match[1] ?? ''}"`;
}

export interface PageWaitRequest<P> {
  readonly read: () => Promise<P>;
  readonly tagOf: (page: P) => string;
  /** The merchant's list subscription (any change of that kind). */
  readonly subscription: ChangeSubscription;
  /** Answer once the page's tag differs from this one; default: the tag found at first read. */
  readonly afterTag: string | undefined;
  readonly wait_s: number;
}

/**
 * `Prefer: wait=N` on a list: reads the page, then, while its tag is the one the client has and time
 * is left, sleeps until any of the merchant's rows of that kind changes (or the fallback passes) and
 * reads again. A change that does not touch this page wakes it but does not answer it.
 */
export async function readPageWhenChanged<P>(request: PageWaitRequest<P>): Promise<P> {
  const deadline = Date.now() + request.wait_s * 1_000;
  let page = await request.read();
  const base = request.afterTag ?? request.tagOf(page);
  while (request.tagOf(page) === base && Date.now() < deadline) {
    const woken = await request.subscription.next(Math.min(FALLBACK_REREAD_MS, deadline - Date.now()));
    page = await request.read();
    if (woken === 'closed') break;
  }
  return page;
}

export interface ListAnswer<P> {
  readonly read: () => Promise<P>;
  readonly tagOf: (page: P) => string;
  /** The merchant's list subscription; taken only when the client asked to wait. */
  readonly subscribe: () => ChangeSubscription;
  readonly prefer: string | undefined;
  readonly ifNoneMatch: string | undefined;
  readonly response: Response;
}

/**
 * A list page with its tag (ETag), waited for when `Prefer: wait=N` asks (past the If-None-Match
 * tag, or the tag found), answered 304 (undefined) when the client's tag is still the page's.
 */
export async function answerList<P>(list: ListAnswer<P>): Promise<P | undefined> {
  const wait_s = preferredWaitSeconds(list.prefer);
  const named = pageTagInIfNoneMatch(list.ifNoneMatch);
  const subscription = wait_s === undefined ? undefined : list.subscribe();
  try {
    const page = subscription === undefined || wait_s === undefined ? await list.read() : await readPageWhenChanged({ read: list.read, tagOf: list.tagOf, subscription, afterTag: named, wait_s });
    const tag = list.tagOf(page);
    list.response.setHeader('ETag', tag);
    if (wait_s !== undefined) {
      list.response.setHeader('Preference-Applied', `wait=${wait_s}`);
      list.response.setHeader('Vary', 'Prefer');
    }
    if (named !== undefined && tag === named) {
      list.response.status(304);
      return undefined;
    }
    return page;
  } finally {
    subscription?.close();
  }
}

/** A GET of one resource as every resource answers it: its query and headers, how to read and follow it. */
export interface ResourceAnswer<T extends Versioned & { readonly lastEventAt: Date | null }> {
  readonly read: () => Promise<T | null>;
  readonly subscribe: () => ChangeSubscription;
  readonly terminal: ReadonlySet<string>;
  /** `?afterVersion=`, already validated; else the If-None-Match version is the one to wait past. */
  readonly afterVersion: number | undefined;
  readonly prefer: string | undefined;
  readonly ifNoneMatch: string | undefined;
  readonly response: Response;
  /** The 404 to throw when there is no such resource. */
  readonly notFound: () => Error;
}

/**
 * GET of one resource: read at once, or with Prefer: wait=N until it moves past the named version
 * (or the one found), is terminal, or N s passed; freshness headers; 304 when If-None-Match
 * named the version still current (and no afterVersion was given).
 */
export async function answerResource<T extends Versioned & { readonly lastEventAt: Date | null }>(request: ResourceAnswer<T>): Promise<T | undefined> {
  const wait_s = preferredWaitSeconds(request.prefer);
  const named = request.afterVersion === undefined ? versionInIfNoneMatch(request.ifNoneMatch) : BigInt(request.afterVersion);
  const subscription = request.subscribe();
  try {
    const row = wait_s === undefined ? await request.read() : await readWhenChanged({ read: request.read, subscription, afterVersion: named, wait_s, terminal: request.terminal });
    if (row === null) throw request.notFound();
    setFreshnessHeaders(request.response, row, wait_s);
    if (request.afterVersion === undefined && named !== undefined && row.version === named) {
      request.response.status(304);
      return undefined;
    }
    return row;
  } finally {
    subscription.close();
  }
}
