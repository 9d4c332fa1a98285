import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { periodically, SERVICE_DEPENDENCIES, type IterationOutcome, type PeriodicWork, type ServiceDependencies } from '@txn/service-kit';
import { SCOPE_TRANSACTION_SQL, scopeParameters } from '../persistence/tenant-transactions';

/** Rows deleted per statement: a short transaction, whatever the backlog. */
export const PRUNE_BATCH = 500;
const PRUNE_INTERVAL_MS = 60_000;

// SKIP LOCKED: two instances prune different rows, and never wait on a record a request holds.
// A record is due once past its retention and its lease (a claim still leased is in flight).
const PRUNE_SQL = `
  WITH due AS (
    SELECT merchant_id, idempotency_key FROM idempotency_records
     WHERE expires_at < now() AND lease_until < now()
     ORDER BY expires_at
     LIMIT $1
     FOR UPDATE SKIP LOCKED)
  DELETE FROM idempotency_records r USING due
   WHERE r.merchant_id = due.merchant_id AND r.idempotency_key = due.idempotency_key`;

/** Deletes idempotency records past their retention, one bounded batch at a time (platform scope: every merchant's). */
export async function pruneIdempotencyRecords(dataSource: DataSource, batch = PRUNE_BATCH): Promise<number> {
  return dataSource.transaction(async (manager) => {
    await manager.query(SCOPE_TRANSACTION_SQL, scopeParameters({ kind: 'platform' }));
    const result = (await manager.query(PRUNE_SQL, [batch])) as [unknown[], number];
    return result[1];
  });
}

/** The pruning loop, started with the application and stopped before it closes its connections. */
@Injectable()
export class IdempotencyPruner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly work: PeriodicWork;

  constructor(@Inject(DataSource) dataSource: DataSource, @Inject(SERVICE_DEPENDENCIES) dependencies: ServiceDependencies) {
    const iteration = async (): Promise<IterationOutcome> => ((await pruneIdempotencyRecords(dataSource)) >= PRUNE_BATCH ? 'more-due' : 'caught-up');
    this.work = periodically('idempotency pruning', PRUNE_INTERVAL_MS, iteration, dependencies.logger);
  }

  onApplicationBootstrap(): void {
    this.work.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.work.stop();
  }
}
