import type { Transactions } from '@txn/sql';
import type { IterationOutcome } from '@txn/service-kit';
import type { CheckpointAnnouncer, Checkpoints } from '../ports';

export interface TakeCheckpointsDependencies {
  readonly transactions: Transactions;
  readonly checkpoints: Checkpoints;
  readonly announcer: CheckpointAnnouncer;
  readonly clock: () => Date;
  readonly batchSize: number;
}

/**
 * Announces the heads of the chains that moved since their last checkpoint: each one both in the
 * service's own table (what was announced) and on audit.checkpoints.v1 through the outbox, in one
 * transaction. One instance at a time takes the turn; the others find it taken and wait.
 */
export function takeCheckpoints(dependencies: TakeCheckpointsDependencies): Promise<IterationOutcome> {
  return dependencies.transactions(async (tx) => {
    if (!(await dependencies.checkpoints.tryTurn(tx))) return 'caught-up';
    const heads = await dependencies.checkpoints.movedHeads(tx, dependencies.batchSize);
    const takenAt = dependencies.clock();
    for (const head of heads) {
      await dependencies.checkpoints.record(tx, head, takenAt);
      await dependencies.announcer.announce(tx, head, takenAt);
    }
    return heads.length === dependencies.batchSize ? 'more-due' : 'caught-up';
  });
}
