import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { apiGatewayService, DEFAULT_GATEWAY_SETTINGS, issueApiKey } from '@txn/api-gateway';
import { startSuiteService, suiteResources } from '@txn/service-harness';
import { Cleanups, type LogLine } from '@txn/testing';

// The api-gateway as main.ts starts it (bootstrapService: public HTTP, inbox consumer, outbox
// relay) on a private database and private topics of the real PostgreSQL and Kafka, for the
// benchmark's run only; a merchant and a developer key seeded as the key routes would write them.

const TOPICS = ['booking.commands.v1', 'booking.events.v1', 'payment.commands.v1', 'payment.events.v1', 'ledger.events.v1', 'security.events.v1'] as const;
export const BENCH_MERCHANT = 'bench-merchant';

export interface BenchGateway {
  readonly baseUrl: string;
  /** The run's database as its administrator sees it. */
  readonly pool: Pool;
  /**
   * Developer keys of the merchant (bookings:read, bookings:write). Several: each key's rate-limit
   * counter is one row every request of that key updates, so one key alone measures that row's
   * lock, not the gateway (bench/api/README.md).
   */
  readonly apiKeys: readonly string[];
  /** The gateway's log lines at warn and above (a benchmark that saw errors says so). */
  readonly logs: readonly LogLine[];
  close(): Promise<void>;
}

/** `rateLimit: false` turns the per-key limiter off (to show what its counter row costs). */
export async function startBenchGateway(keyCount: number, rateLimit = true): Promise<BenchGateway> {
  const cleanups = new Cleanups();
  const close = (): Promise<void> => cleanups.runAll();
  try {
    const { scope, topicOf, secret } = await suiteResources(`bench-api-${process.pid}`, TOPICS, 3, cleanups);
    const database = await scope.database('api_gateway');
    const { service, logs } = await startSuiteService({
      service: 'api-gateway',
      database,
      secret,
      readSettings: () => ({}),
      definition: () => apiGatewayService({ ...DEFAULT_GATEWAY_SETTINGS, apiPort: 0, ...(rateLimit ? {} : { keyRateLimit: { requestsPerWindow: 0, window_s: 60 } }) }),
      topicOverrides: topicOf,
      consumerGroup: scope.groupId('api-gateway'),
      logLevel: 'warn',
      cleanups,
    });
    const pool = new Pool({ ...database, max: 2 });
    cleanups.push(() => pool.end());
    await pool.query("INSERT INTO merchants (id, name, default_currency) VALUES ($1, $1, 'EUR')", [BENCH_MERCHANT]);
    const apiKeys: string[] = [];
    for (let index = 0; index < keyCount; index += 1) {
      const issued = await issueApiKey();
      await pool.query("INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, created_by) VALUES ($1, $2, $3, $4, 'bench', 'developer', 'bench')", [randomUUID(), BENCH_MERCHANT, issued.prefix, issued.secretHash]);
      apiKeys.push(issued.key);
    }
    return { baseUrl: `http://127.0.0.1:${String(service.apiPort)}`, pool, apiKeys, logs, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
