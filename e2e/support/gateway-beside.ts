import { randomUUID } from 'node:crypto';
import { apiGatewayService, DEFAULT_GATEWAY_SETTINGS, issueApiKey } from '@txn/api-gateway';
import { startSuiteService } from '@txn/service-harness';
import type { Pool } from 'pg';
import type { MasterKeyring } from '@txn/personal-data';
import type { RunningService } from '@txn/service-kit';
import { secretFiles, type Cleanups, type LogLine, type SuiteScope } from '@txn/testing';
import { smallPool, type SagaTopic } from './suite-resources';

// The api-gateway beside the saga's three services, as its main.ts starts it: its own suite
// database, the saga's suite topics (it sends booking commands and reads booking and payment
// events there), its own consumer group, the public API on a free loopback port.

export interface GatewayUnderTest {
  readonly service: RunningService;
  /** A small pool on the gateway's own database (its administrator's view). */
  readonly pool: Pool;
  readonly logs: LogLine[];
  /** http://127.0.0.1:<api port> */
  readonly baseUrl: string;
  /** Creates the merchant in the gateway and a key of `role` for it, as the key routes would; returns the whole key. */
  keyFor(merchantId: string, role: string): Promise<string>;
}

/** `sideTopics`: the suite's copies of the topics beside the saga's (security events, audit records), shared with the audit service when it runs too. */
export async function startGatewayBeside(scope: SuiteScope, topicOf: Readonly<Record<SagaTopic, string>>, sideTopics: Readonly<Record<string, string>>, keys: { readonly keyring: MasterKeyring; readonly webhookSigningKey: string }, cleanups: Cleanups): Promise<GatewayUnderTest> {
  const database = await scope.database('api_gateway');
  const secrets = secretFiles('e2e-gateway-secrets-');
  cleanups.push(() => secrets.remove());
  const { service, logs } = await startSuiteService({
    service: 'api-gateway',
    database,
    secret: secrets.write,
    environment: {},
    readSettings: () => ({}),
    definition: () => apiGatewayService({ ...DEFAULT_GATEWAY_SETTINGS, apiPort: 0, personalDataKeyring: keys.keyring, webhookSigningKey: keys.webhookSigningKey }),
    topicOverrides: { ...topicOf, ...sideTopics },
    consumerGroup: scope.groupId('api-gateway'),
    cleanups,
  });
  if (service.apiPort === undefined) throw new Error('the gateway started without its public HTTP port');
  const pool = smallPool(database);
  cleanups.push(() => pool.end());
  const keyFor = async (merchantId: string, role: string): Promise<string> => {
    await pool.query("INSERT INTO merchants (id, name, default_currency) VALUES ($1, $1, 'EUR') ON CONFLICT (id) DO NOTHING", [merchantId]);
    const issued = await issueApiKey();
    await pool.query('INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, scopes, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [randomUUID(), merchantId, issued.prefix, issued.secretHash, 'e2e', role, [], 'e2e']);
    return issued.key;
  };
  return { service, pool, logs, baseUrl: `http://127.0.0.1:${service.apiPort}`, keyFor };
}
