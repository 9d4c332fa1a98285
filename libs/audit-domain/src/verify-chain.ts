import { GENESIS_HASH, recordHash, type AuditRecord } from './audit-record';

/**
 * What verification found at the first broken link:
 * - EDITED: the record's content no longer gives its hash;
 * - MISSING: the record this one follows is not in the chain (deleted);
 * - INSERTED: a record that is not part of the chain (a sequence number seen twice, or a second first record);
 * - REORDERED: the record follows another record of the chain than the one before it;
 * - RENUMBERED: the links agree but the sequence numbers jump;
 * - TRUNCATED: a checkpoint saw more records than the chain holds;
 * - CHECKPOINT_MISMATCH: the record a checkpoint saw at its position has another hash (the chain was rewritten).
 */
export type ChainBreakKind = 'EDITED' | 'MISSING' | 'INSERTED' | 'REORDERED' | 'RENUMBERED' | 'TRUNCATED' | 'CHECKPOINT_MISMATCH';

/** A chain's head as written outside the chain (the checkpoint topic): what truncation is judged by. */
export interface ChainCheckpoint {
  readonly chainId: string;
  readonly seq: number;
  readonly hash: string;
}

export interface ChainBreak {
  readonly kind: ChainBreakKind;
  /** The sequence number where the chain stops being trustworthy. */
  readonly seq: number;
  readonly detail: string;
}

export type ChainVerdict =
  | { readonly ok: true; readonly chainId: string; readonly count: number; readonly head: { readonly seq: number; readonly hash: string } | null; readonly checkpointSeq: number | null }
  | { readonly ok: false; readonly chainId: string; readonly broken: ChainBreak; readonly checked: number };

/** The first reason `record` (at 1-based position `position`) does not follow `previousHash`, if any. */
function linkBreak(record: AuditRecord, position: number, previousHash: string, hashes: ReadonlySet<string>): ChainBreak | undefined {
  if (record.seq < position) return { kind: 'INSERTED', seq: record.seq, detail: `sequence number ${record.seq} appears again after ${position - 1} records` };
  if (recordHash(record.chainId, record.prevHash, record.facts) !== record.hash) {
    return { kind: 'EDITED', seq: record.seq, detail: `record ${record.seq} (event ${record.facts.eventId}) no longer matches its hash` };
  }
  if (record.prevHash !== previousHash) {
    if (record.prevHash === GENESIS_HASH) return { kind: 'INSERTED', seq: record.seq, detail: `record ${record.seq} claims to be the chain's first` };
    if (hashes.has(record.prevHash)) return { kind: 'REORDERED', seq: record.seq, detail: `record ${record.seq} follows another record of the chain than the one before it` };
    return { kind: 'MISSING', seq: position, detail: `the record that record ${record.seq} follows is not in the chain` };
  }
  if (record.seq > position) return { kind: 'RENUMBERED', seq: position, detail: `the links agree but the sequence jumps from ${position - 1} to ${record.seq}` };
  return undefined;
}

/** Where a chain's stored part starts: after the last archived record (or at the genesis). */
export interface ChainStart {
  readonly seq: number;
  readonly hash: string;
}

const GENESIS: ChainStart = { seq: 0, hash: GENESIS_HASH };

function checkpointBreak(records: readonly AuditRecord[], start: ChainStart, checkpoint: ChainCheckpoint): ChainBreak | undefined {
  const held = start.seq + records.length;
  if (checkpoint.seq > held) {
    return { kind: 'TRUNCATED', seq: held + 1, detail: `a checkpoint saw ${checkpoint.seq} records; the chain holds ${held}` };
  }
  const seen = records[checkpoint.seq - start.seq - 1];
  if (seen !== undefined && seen.hash !== checkpoint.hash) {
    return { kind: 'CHECKPOINT_MISMATCH', seq: checkpoint.seq, detail: `record ${checkpoint.seq} is not the one the checkpoint saw: the chain was rewritten up to it` };
  }
  return undefined;
}

/**
 * Walks one chain in the order it is stored (sequence number, then insertion) and names its first
 * broken link; then compares it with the latest checkpoint written outside it, which is what
 * catches a deleted tail or a chain rewritten with fresh hashes. `start` is where an archived
 * chain's stored part begins (its last archived record).
 */
export function verifyChain(chainId: string, records: readonly AuditRecord[], checkpoint?: ChainCheckpoint, start: ChainStart = GENESIS): ChainVerdict {
  const hashes = new Set(records.map((record) => record.hash));
  let previousHash = start.hash;
  for (const [index, record] of records.entries()) {
    const broken = linkBreak(record, start.seq + index + 1, previousHash, hashes);
    if (broken !== undefined) return { ok: false, chainId, broken, checked: index };
    previousHash = record.hash;
  }
  const broken = checkpoint === undefined || checkpoint.seq <= start.seq ? undefined : checkpointBreak(records, start, checkpoint);
  if (broken !== undefined) return { ok: false, chainId, broken, checked: records.length };
  const last = records.at(-1);
  return { ok: true, chainId, count: records.length, head: last === undefined ? null : { seq: last.seq, hash: last.hash }, checkpointSeq: checkpoint?.seq ?? null };
}
