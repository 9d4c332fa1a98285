import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { StoredResponse } from './idempotency-store';

/**
 * Stored answers on disk, one JSON line each, so a proxy restart keeps its promise: localstripe
 * keeps its objects across restarts, and a proxy that forgot its keys would let a retry create a
 * second payment intent. Appended synchronously before the client gets the answer (a process crash
 * after that point loses nothing; the page cache survives it). Compacted at start and when dead
 * lines outnumber live ones.
 */
export class ResponseJournal {
  private linesSinceCompaction = 0;

  constructor(private readonly file: string) {}

  /** Reads what the last run stored (oldest first), skipping a torn last line. */
  load(): StoredResponse[] {
    if (!existsSync(this.file)) return [];
    const responses: StoredResponse[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        responses.push(JSON.parse(line) as StoredResponse);
      } catch {
        // A crash in the middle of an append leaves a partial line: that answer was never sent.
      }
    }
    return responses;
  }

  append(response: StoredResponse): void {
    appendFileSync(this.file, `${JSON.stringify(response)}\n`);
    this.linesSinceCompaction += 1;
  }

  /** True when rewriting would at least halve the file. */
  needsCompaction(liveEntries: number, minimumLines: number): boolean {
    return this.linesSinceCompaction > Math.max(minimumLines, liveEntries);
  }

  /** Rewrites the file with the live answers only: write a new file, then rename over the old one. */
  compact(live: Iterable<StoredResponse>): void {
    const lines: string[] = [];
    for (const response of live) lines.push(JSON.stringify(response));
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
    renameSync(temporary, this.file);
    this.linesSinceCompaction = 0;
  }
}
