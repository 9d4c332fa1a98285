import type { AuditRecord, ChainCheckpoint } from '@txn/audit-domain';
import type { SqlTransaction } from '@txn/sql';

/** A chain's last record: where the next one links. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/** The trail as the use cases need it; the store only stores. */
export interface AuditTrail {
  /**
   * Makes this transaction the chain's only writer until it ends: several instances and partitions
   * append to one tenant's chain, and each record must link to the one committed before it.
   */
  lockChain(tx: SqlTransaction, chainId: string): Promise<void>;
  head(tx: SqlTransaction, chainId: string): Promise<ChainHead | undefined>;
  /** `already-recorded` when the event has a record (the same fact consumed again under another group). */
  append(tx: SqlTransaction, record: AuditRecord): Promise<'appended' | 'already-recorded'>;
}

export interface Checkpoints {
  /** One checkpoint writer at a time across instances: false when another holds the turn. */
  tryTurn(tx: SqlTransaction): Promise<boolean>;
  /** Heads of chains that moved since their last checkpoint, at most `limit`. */
  movedHeads(tx: SqlTransaction, limit: number): Promise<readonly ChainCheckpoint[]>;
  record(tx: SqlTransaction, checkpoint: ChainCheckpoint, takenAt: Date): Promise<void>;
}

/** Writes a checkpoint outside the chain (audit.checkpoints.v1, through the outbox, in the same transaction). */
export interface CheckpointAnnouncer {
  announce(tx: SqlTransaction, checkpoint: ChainCheckpoint, takenAt: Date): Promise<void>;
}

/** Publishes each appended record (audit.records.v1, through the outbox, in the same transaction): the gateway's audit read model. */
export interface RecordAnnouncer {
  announce(tx: SqlTransaction, record: AuditRecord): Promise<void>;
}
