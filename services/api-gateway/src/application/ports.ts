import type { Actor } from '@txn/contracts';
import type { EntityManager } from 'typeorm';

/** Whose rows a transaction may see (persistence/tenant-transactions implements it with row-level security). */
export type MerchantScope = { readonly kind: 'tenant'; readonly tenantId: string };

/** A TypeORM transaction scoped to one merchant: the read-model row and the outbox row commit together. */
export interface ScopedTransactions {
  run<T>(scope: MerchantScope, work: (manager: EntityManager) => Promise<T>): Promise<T>;
}

export const SCOPED_TRANSACTIONS = Symbol('ScopedTransactions');

/** Seals a customer's personal data under their data key before it leaves the gateway (personal-data/customer-keys implements it). */
export interface PersonalDataSealer {
  seal(manager: EntityManager, merchantId: string, customerId: string, plaintext: string, actor: Actor, now: Date): Promise<string>;
}

export const PERSONAL_DATA_SEALER = Symbol('PersonalDataSealer');
