import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CustomerDataKeyIssued } from '@txn/contracts';
import { EventPublisher } from '@txn/nest-messaging';
import { dataKeyAad, rewrapDataKey, type MasterKeyring } from '@txn/personal-data';
import { periodically, SERVICE_DEPENDENCIES, type IterationOutcome, type PeriodicWork, type ServiceDependencies } from '@txn/service-kit';
import { fromEntityManager } from '@txn/sql';
import { SCOPE_TRANSACTION_SQL, scopeParameters } from '../persistence/tenant-transactions';
import { PERSONAL_DATA_KEYRING } from './customer-keys';

/** Keys rewrapped per transaction. */
export const REWRAP_BATCH = 100;
/** GATEWAY_KEY_REWRAP_INTERVAL_MS, for the module to provide. */
export const KEY_REWRAP_INTERVAL_MS = Symbol('KEY_REWRAP_INTERVAL_MS');

interface StaleKey {
  merchant_id: string;
  customer_id: string;
  key_id: string;
  master_key_id: string;
  wrapped_key: string;
}

/**
 * Master key rotation, the second half (docs/runbooks/personal-data-keys.md): every data key
 * still wrapped under an older master key is rewrapped under the current one and announced again
 * (same key id, new wrapping), so the other services' copies follow and compaction drops the old
 * wrapping from customer.keys.v1. SKIP LOCKED: instances share the work. Returns how many.
 */
export async function rewrapDataKeys(dataSource: DataSource, keyring: MasterKeyring, publisher: EventPublisher, batch = REWRAP_BATCH): Promise<number> {
  return dataSource.transaction(async (manager) => {
    await manager.query(SCOPE_TRANSACTION_SQL, scopeParameters({ kind: 'platform' }));
    const stale = (await manager.query(
      `SELECT merchant_id, customer_id, key_id, master_key_id, wrapped_key FROM customer_data_keys
        WHERE wrapped_key IS NOT NULL AND master_key_id <> $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [keyring.current, batch],
    )) as StaleKey[];
    const tx = fromEntityManager(manager);
    for (const row of stale) {
      const rewrapped = rewrapDataKey(keyring, { masterKeyId: row.master_key_id, wrapped: row.wrapped_key }, dataKeyAad(row.merchant_id, row.customer_id, row.key_id));
      await tx.query('UPDATE customer_data_keys SET master_key_id = $2, wrapped_key = $3 WHERE key_id = $1', [row.key_id, rewrapped.masterKeyId, rewrapped.wrapped]);
      const now = new Date();
      await publisher.publish(tx, CustomerDataKeyIssued, {
        envelope: { eventId: randomUUID(), eventType: CustomerDataKeyIssued.eventType, occurredAt: now, producer: 'api-gateway', aggregateId: `${row.merchant_id}:${row.customer_id}`, aggregateVersion: BigInt(now.getTime()), correlationId: `${row.merchant_id}:${row.customer_id}`, causationId: null, actor: { type: 'SERVICE', id: 'api-gateway' }, tenantId: row.merchant_id },
        customerId: row.customer_id,
        keyId: row.key_id,
        masterKeyId: rewrapped.masterKeyId,
        wrappedKey: rewrapped.wrapped,
      });
    }
    return stale.length;
  });
}

/** The rewrap loop: idle (one cheap query a minute) until a rotation puts a new key at the top of the keyring. */
@Injectable()
export class KeyRewrap implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly work: PeriodicWork | undefined;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(PERSONAL_DATA_KEYRING) keyring: MasterKeyring | null,
    @Inject(EventPublisher) publisher: EventPublisher,
    @Inject(SERVICE_DEPENDENCIES) dependencies: ServiceDependencies,
    @Inject(KEY_REWRAP_INTERVAL_MS) interval_ms: number,
  ) {
    if (keyring === null) return;
    const iteration = async (): Promise<IterationOutcome> => ((await rewrapDataKeys(dataSource, keyring, publisher)) >= REWRAP_BATCH ? 'more-due' : 'caught-up');
    this.work = periodically('data key rewrap', interval_ms, iteration, dependencies.logger);
  }

  onApplicationBootstrap(): void {
    this.work?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.work?.stop();
  }
}
