import type { Logger } from 'pino';
import type { Delivery, DeliveryStore, EventSource } from '../ports';
import { pspEventReceived } from '../receive-webhook/psp-event-received';
import { isPublishedType, MalformedPspEvent, normaliseStripeEvent } from '../receive-webhook/stripe-event';

/** One page of the PSP's event list, newest first (Stripe's order); `hasMore`: older ones follow. */
export interface PspEventPage {
  readonly events: readonly unknown[];
  readonly hasMore: boolean;
}

/** The PSP's event list as the catch-up reads it: events created at or after `since`, a page after `startingAfter`. */
export interface PspEventList {
  page(since: Date, startingAfter: string | undefined): Promise<PspEventPage>;
}

export interface CatchUpDependencies {
  /** Whose event list is read (its own API key): the account its events are stored under. */
  readonly account: string;
  readonly store: DeliveryStore;
  readonly events: PspEventList;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly now: Date;
  /** Pages read per run at most (100 events each): a run never runs away; the next one goes on. */
  readonly maxPages: number;
}

export interface CatchUpReport {
  readonly account: string;
  readonly since: Date;
  readonly pages: number;
  readonly fetched: number;
  /** Events we did not hold: stored, and published when payment consumes their family. */
  readonly stored: number;
  /** Events we held already (delivered as webhooks): nothing new. */
  readonly known: number;
  readonly unreadable: number;
  /** False when the run stopped at maxPages with more to read: said loudly, never "caught up". */
  readonly complete: boolean;
  /** Where an incomplete run stopped (the oldest event it read): the next run goes on after it, from the same `since`. */
  readonly resumeAfter?: string;
}

/**
 * Where a catch-up starts when not told: an hour before the newest event we hold (events arrive
 * out of order, so the newest held is not a watermark), or, holding none, three days back (how long
 * Stripe retries a delivery; its list goes back 30 days: ask explicitly for more).
 */
export const CATCH_UP_OVERLAP_MS = 3_600_000;
export const CATCH_UP_FIRST_WINDOW_MS = 3 * 24 * 3_600_000;

export async function catchUpSince(dependencies: Pick<CatchUpDependencies, 'store' | 'now' | 'account'>, provider: string, firstWindow_ms = CATCH_UP_FIRST_WINDOW_MS): Promise<Date> {
  const newest = await dependencies.store.newestEventAt(provider, dependencies.account);
  return newest === null ? new Date(dependencies.now.getTime() - firstWindow_ms) : new Date(newest.getTime() - CATCH_UP_OVERLAP_MS);
}

/**
 * Events the PSP sent while we could not hear them (down, unreachable, a delivery given up), read
 * from its event list with our API key and fed through the same store as a webhook: deduplicated
 * by the PSP's event id, so what we already hold changes nothing. Authentic because we fetched it
 * from the PSP ourselves (source FETCHED), not because of a signature.
 */
export async function catchUp(dependencies: CatchUpDependencies, since: Date, resumeAfter?: string): Promise<CatchUpReport> {
  const counts = { pages: 0, fetched: 0, stored: 0, known: 0, unreadable: 0 };
  let startingAfter = resumeAfter;
  let hasMore = true;
  while (hasMore && counts.pages < dependencies.maxPages) {
    const page = await dependencies.events.page(since, startingAfter);
    counts.pages += 1;
    for (const raw of page.events) {
      counts.fetched += 1;
      const outcome = await storeFetched(dependencies, raw);
      counts[outcome] += 1;
      startingAfter = (raw as { id?: string }).id ?? startingAfter;
    }
    hasMore = page.hasMore && page.events.length > 0;
  }
  const report = { account: dependencies.account, since, ...counts, complete: !hasMore, ...(hasMore && startingAfter !== undefined ? { resumeAfter: startingAfter } : {}) };
  if (report.complete) dependencies.logger.info(report, 'PSP event catch-up done');
  else dependencies.logger.error(report, 'PSP event catch-up stopped at its page bound with events left: the next run goes on');
  return report;
}

async function storeFetched(dependencies: CatchUpDependencies, raw: unknown): Promise<'stored' | 'known' | 'unreadable'> {
  let event;
  try {
    event = normaliseStripeEvent(raw);
  } catch (error) {
    if (!(error instanceof MalformedPspEvent)) throw error;
    dependencies.logger.warn({ error: error.message }, 'an event from the PSP list could not be read: skipped');
    return 'unreadable';
  }
  const delivery: Delivery = { provider: 'stripe', account: dependencies.account, raw: Buffer.from(JSON.stringify(raw)), headers: {}, sourceAddress: null, receivedAt: dependencies.now };
  const source: EventSource = { kind: 'FETCHED' };
  const publish = isPublishedType(event.pspEventType) ? pspEventReceived(delivery, event, source) : null;
  const stored = await dependencies.store.store({ delivery, event, source, publish });
  return stored.first ? 'stored' : 'known';
}
