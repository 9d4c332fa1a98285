import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import Stripe from 'stripe';
import type { ContractTopic } from '@txn/contracts';
import { testEnvironment, type SuiteDatabase } from '@txn/testing';
import { STRIPE_API_VERSION } from '@txn/payment';

// What both e2e harnesses (services in the test process, or as child processes) set up around the
// services the same way: the saga's topics, a small pool per service database, the booking
// database's extension, secret files, and a way to count the PaymentIntents the PSP itself holds.

/** The saga's topics, by contract topic; psp.events.v1 has no consumer among these services yet. */
export const SAGA_TOPICS = ['booking.commands.v1', 'booking.events.v1', 'payment.events.v1', 'ledger.events.v1'] as const satisfies readonly ContractTopic[];
export type SagaTopic = (typeof SAGA_TOPICS)[number];
/** Keys are aggregate ids: 3 partitions keep per-key order and still exercise more than one. */
export const PARTITIONS_PER_TOPIC = 3;

const POOL_MAX = 2;
const POOL_CONNECT_TIMEOUT_MS = 5_000;
const POOL_STATEMENT_TIMEOUT_MS = 15_000;
const SANDBOX_TIMEOUT_MS = 10_000;
const MAX_LIST_PAGES = 100;

/** A second, small pool on a service's database: what a person would query. */
export function smallPool(database: SuiteDatabase): Pool {
  const pool = new Pool({ ...database, max: POOL_MAX, connectionTimeoutMillis: POOL_CONNECT_TIMEOUT_MS, statement_timeout: POOL_STATEMENT_TIMEOUT_MS });
  // Closing the harness drops the databases; an idle connection of ours must not crash the run meanwhile.
  pool.on('error', () => undefined);
  return pool;
}

/** What the services component does for the real booking database: the administrator installs btree_gist. */
export async function installBookingExtensions(database: SuiteDatabase): Promise<void> {
  const environment = testEnvironment();
  const admin = new Client({ host: database.host, port: database.port, database: database.database, user: environment.postgres.adminUser, password: environment.postgres.adminPassword });
  await admin.connect();
  await admin.query('CREATE EXTENSION IF NOT EXISTS btree_gist').finally(() => admin.end());
}

/** A private temporary folder for secret files (mode 0600); `remove` deletes it with them. */
export function secretFiles(prefix: string): { readonly write: (name: string, value: string) => string; readonly remove: () => Promise<void> } {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  return {
    write: (name, value) => {
      const path = join(directory, name);
      writeFileSync(path, value, { mode: 0o600 });
      return path;
    },
    remove: () => Promise.resolve(rmSync(directory, { recursive: true, force: true })),
  };
}

/** The suite's own Stripe-shaped key, and the PaymentIntents localstripe holds from now on. */
export interface SandboxIntents {
  /** The sandbox and the proxy keep this key's objects apart from other suites'. */
  readonly apiKey: string;
  /** Every intent made after the suite started that `matches`, read from localstripe itself. */
  list(matches: (intent: Stripe.PaymentIntent) => boolean): Promise<Stripe.PaymentIntent[]>;
}

export async function sandboxIntents(suiteId: string): Promise<SandboxIntents> {
  const environment = testEnvironment();
  const apiKey = `sk_test_e2e_${randomBytes(8).toString('hex')}`;
  const sandbox = new Stripe(apiKey, { host: environment.pspSandbox.host, port: environment.pspSandbox.port, protocol: 'http', apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 0, timeout: SANDBOX_TIMEOUT_MS, telemetry: false });
  // localstripe lists every intent; the ones made after this marker are ours or later suites'.
  const marker = (await sandbox.paymentIntents.create({ amount: 100, currency: 'eur', metadata: { e2e_marker: suiteId } })).id;
  return {
    apiKey,
    async list(matches) {
      const found: Stripe.PaymentIntent[] = [];
      let after = marker;
      for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
        const list = await sandbox.paymentIntents.list({ limit: 100, starting_after: after });
        found.push(...list.data.filter(matches));
        const last = list.data.at(-1);
        if (!list.has_more || last === undefined) return found;
        after = last.id;
      }
      throw new Error(`more than ${MAX_LIST_PAGES} pages of payment intents after ${marker}`);
    },
  };
}
