import type { Answer } from './http-messages';
import { IdempotencyStore, type BeginOutcome, type IdempotencyLimits, type IdempotencyStoreStats, type StoredResponse } from './idempotency-store';
import { ResponseJournal } from './response-journal';

const JOURNAL_MIN_LINES_BEFORE_COMPACTION = 10_000;

/** The idempotency store with the proxy's clock and, given a file, its journal on disk. */
export class JournaledIdempotencyStore {
  private readonly store: IdempotencyStore;
  private readonly journal: ResponseJournal | undefined;

  /** Restores what the journal holds (if any) and compacts it. */
  constructor(
    limits: IdempotencyLimits,
    journalFile: string | undefined,
    private readonly now: () => number,
  ) {
    this.store = new IdempotencyStore(limits);
    this.journal = journalFile === undefined ? undefined : new ResponseJournal(journalFile);
    if (this.journal !== undefined) {
      this.store.restore(this.journal.load(), now());
      this.journal.compact(this.store.entries());
    }
  }

  /** Claims the key for this request now, or says why not (IdempotencyStore.begin). */
  begin(scopeKey: string, fingerprint: StoredResponse['fingerprint']): BeginOutcome {
    return this.store.begin(scopeKey, fingerprint, this.now());
  }

  /** Releases the key without storing an answer. */
  abandon(scopeKey: string): void {
    this.store.abandon(scopeKey);
  }

  /** Stores the answer for the key, journaled first. */
  remember(scopeKey: string, fingerprint: StoredResponse['fingerprint'], answer: Answer): void {
    const stored: StoredResponse = {
      scope_key: scopeKey,
      fingerprint,
      status: answer.status,
      content_type: answer.headers['content-type'] ?? 'application/json',
      body: answer.body.toString('utf8'),
      stored_at_ms: this.now(),
    };
    // Journal first: once the client can see the answer, a restart must still replay it.
    this.journal?.append(stored);
    this.store.complete(stored, stored.stored_at_ms);
    if (this.journal?.needsCompaction(this.store.stats().stored_responses, JOURNAL_MIN_LINES_BEFORE_COMPACTION)) this.journal.compact(this.store.entries());
  }

  /** The store's own statistics. */
  stats(): IdempotencyStoreStats {
    return this.store.stats();
  }
}
