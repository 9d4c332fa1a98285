import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CustomerDataKeyIssued, CustomerErased, type Actor } from '@txn/contracts';
import { EventPublisher } from '@txn/nest-messaging';
import { customerAad, dataKeyAad, newDataKey, sealField, unwrapDataKey, wrapDataKey, type MasterKeyring } from '@txn/personal-data';
import { fromEntityManager, type SqlTransaction } from '@txn/sql';
import type { EntityManager } from 'typeorm';
import { ProblemException } from '../http/problem';
import { TenantTransactions } from '../persistence/tenant-transactions';

/** The platform's master keyring (GATEWAY_PERSONAL_DATA_KEYRING_FILE); null: personal data is refused. */
export const PERSONAL_DATA_KEYRING = Symbol('PERSONAL_DATA_KEYRING');

interface KeyRow {
  key_id: string;
  master_key_id: string;
  wrapped_key: string | null;
  erased_at: Date | null;
}

export interface Erasure {
  readonly customerId: string;
  readonly keyId: string;
  readonly status: 'ERASED' | 'ALREADY_ERASED';
  readonly erasedAt: Date;
}

function envelope(eventType: string, merchantId: string, customerId: string, actor: Actor, now: Date) {
  return { eventId: randomUUID(), eventType, occurredAt: now, producer: 'api-gateway', aggregateId: `${merchantId}:${customerId}`, aggregateVersion: BigInt(now.getTime()), correlationId: `${merchantId}:${customerId}`, causationId: null, actor, tenantId: merchantId };
}

/**
 * Customers' data keys, kept by the gateway (the platform's edge sees personal data first): a
 * key is issued the first time a customer's personal data arrives and announced, wrapped, on
 * customer.keys.v1 for the services that must open it; every field is sealed before it leaves.
 */
@Injectable()
export class CustomerKeys {
  constructor(
    @Inject(PERSONAL_DATA_KEYRING) private readonly keyring: MasterKeyring | null,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(TenantTransactions) private readonly transactions: TenantTransactions,
  ) {}

  /** The field sealed under the customer's data key (issued now if they have none, or were erased), in the caller's transaction. */
  async seal(manager: EntityManager, merchantId: string, customerId: string, plaintext: string, actor: Actor, now: Date): Promise<string> {
    const keyring = this.requireKeyring();
    const tx = fromEntityManager(manager);
    const found = await this.current(tx, merchantId, customerId);
    const { keyId, dataKey } = found ?? (await this.issue(tx, keyring, merchantId, customerId, actor, now));
    return sealField(dataKey, keyId, plaintext, customerAad(merchantId, customerId));
  }

  /** Right to erasure, in its own transaction: the data key destroyed, announced; every sealed copy is unreadable from now on. */
  erase(merchantId: string, customerId: string, by: string, reason: string | null, actor: Actor, now: Date): Promise<Erasure | undefined> {
    return this.transactions.run({ kind: 'tenant', tenantId: merchantId }, (manager) => this.eraseIn(fromEntityManager(manager), merchantId, customerId, by, reason, actor, now));
  }

  private async eraseIn(tx: SqlTransaction, merchantId: string, customerId: string, by: string, reason: string | null, actor: Actor, now: Date): Promise<Erasure | undefined> {
    const [row] = await tx.query<KeyRow>('SELECT key_id, master_key_id, wrapped_key, erased_at FROM customer_data_keys WHERE merchant_id = $1 AND customer_id = $2 FOR UPDATE', [merchantId, customerId]);
    if (row === undefined) return undefined;
    if (row.erased_at !== null) return { customerId, keyId: row.key_id, status: 'ALREADY_ERASED', erasedAt: row.erased_at };
    await tx.query('UPDATE customer_data_keys SET wrapped_key = NULL, erased_at = $3, erased_by = $4, erasure_reason = $5 WHERE merchant_id = $1 AND customer_id = $2', [merchantId, customerId, now, by, reason]);
    await this.publisher.publish(tx, CustomerErased, { envelope: envelope(CustomerErased.eventType, merchantId, customerId, actor, now), customerId, keyId: row.key_id, reason, erasedBy: by });
    return { customerId, keyId: row.key_id, status: 'ERASED', erasedAt: now };
  }

  private async current(tx: SqlTransaction, merchantId: string, customerId: string): Promise<{ keyId: string; dataKey: Buffer } | undefined> {
    const [row] = await tx.query<KeyRow>('SELECT key_id, master_key_id, wrapped_key, erased_at FROM customer_data_keys WHERE merchant_id = $1 AND customer_id = $2 FOR UPDATE', [merchantId, customerId]);
    if (row === undefined || row.wrapped_key === null) return undefined;
    return { keyId: row.key_id, dataKey: unwrapDataKey(this.requireKeyring(), { masterKeyId: row.master_key_id, wrapped: row.wrapped_key }, dataKeyAad(merchantId, customerId, row.key_id)) };
  }

  /**
   * A new key: inserted, or replacing an erased one (a customer who comes back after an erasure
   * gets a new key; the old data stays unreadable). Two requests for a new customer at once: the
   * second's insert conflicts and it uses the first's key.
   */
  private async issue(tx: SqlTransaction, keyring: MasterKeyring, merchantId: string, customerId: string, actor: Actor, now: Date): Promise<{ keyId: string; dataKey: Buffer }> {
    const keyId = randomUUID();
    const dataKey = newDataKey();
    const wrapped = wrapDataKey(keyring, dataKey, dataKeyAad(merchantId, customerId, keyId));
    const written = await tx.query(
      `INSERT INTO customer_data_keys (merchant_id, customer_id, key_id, master_key_id, wrapped_key, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (merchant_id, customer_id) DO UPDATE SET key_id = EXCLUDED.key_id, master_key_id = EXCLUDED.master_key_id, wrapped_key = EXCLUDED.wrapped_key,
         created_at = EXCLUDED.created_at, erased_at = NULL, erased_by = NULL, erasure_reason = NULL
       WHERE customer_data_keys.erased_at IS NOT NULL RETURNING 1`,
      [merchantId, customerId, keyId, wrapped.masterKeyId, wrapped.wrapped, now],
    );
    if (written.length === 0) {
      const raced = await this.current(tx, merchantId, customerId);
      if (raced === undefined) throw new Error(`customer ${customerId}'s key vanished while it was issued`);
      return raced;
    }
    await this.publisher.publish(tx, CustomerDataKeyIssued, { envelope: envelope(CustomerDataKeyIssued.eventType, merchantId, customerId, actor, now), customerId, keyId, masterKeyId: wrapped.masterKeyId, wrappedKey: wrapped.wrapped });
    return { keyId, dataKey };
  }

  private requireKeyring(): MasterKeyring {
    if (this.keyring === null) throw ProblemException.of('unavailable', 'Personal data cannot be accepted: the platform has no personal-data keyring configured (GATEWAY_PERSONAL_DATA_KEYRING_FILE).');
    return this.keyring;
  }
}
