import { bootstrapService, createServiceLogger, type ServiceConfig } from '@txn/service-kit';
import { jsonLogSink } from '@txn/testing';
import { ledgerService, type LedgerSettings } from '@txn/ledger';
import type { PlatformInProcess } from './platform-in-process';
import type { RestartedService } from './platform-restart';

// What platform-restart.ts does for payment, for the ledger: a ledger started again as an operator
// would restart it, after the harness's own was closed. Same configuration and database, same
// suite topics, same consumer group (the inbox's dedup scope and the committed offsets), same log
// array, so `platform.ledger.pool` and `platform.ledger.logs` keep describing "the ledger".

/** The contract topics the ledger reads (booking and payment facts) or writes (its own events). */
const LEDGER_TOPICS = ['booking.events.v1', 'payment.events.v1', 'ledger.events.v1'] as const;
/** The harness's in-place retry policy (not exported there): a failing handler is a finding. */
const TEST_RETRY = { maxAttempts: 2, initialDelay_ms: 20, maxDelay_ms: 100 };

/** `test.<scope id>`: the suite scope names topics and groups with the same prefix (tools/testing). */
function suitePrefixOf(suiteTopic: string): string {
  const match = /^(test\.[^.]+)\./.exec(suiteTopic);
  if (match?.[1] === undefined) throw new Error(`not a suite topic: ${suiteTopic}`);
  return match[1];
}

/** The harness's ledger consumer group (scope.groupId('ledger')). */
export function ledgerConsumerGroup(platform: PlatformInProcess): string {
  return `${suitePrefixOf(platform.ledger.service.dependencies.topicOf('booking.events.v1'))}.ledger`;
}

/**
 * Starts a ledger like the harness's. Close the harness's ledger (`platform.ledger.service.close()`)
 * first, and close what this returns before `platform.close()`: the harness drops its database.
 * May be called again after closing the previous one (the harness's closed service still holds
 * the configuration and topic names).
 */
export async function startLedgerAgain(platform: PlatformInProcess): Promise<RestartedService> {
  const previous = platform.ledger.service.dependencies;
  // The harness loaded ledger's config as ServiceConfig & LedgerSettings (loadServiceConfig's `extra`).
  const config = previous.config as ServiceConfig & LedgerSettings;
  const service = await bootstrapService(config, ledgerService(config), {
    topicOverrides: Object.fromEntries(LEDGER_TOPICS.map((topic) => [topic, previous.topicOf(topic)])),
    consumerGroup: ledgerConsumerGroup(platform),
    retry: TEST_RETRY,
    logger: createServiceLogger({ serviceName: 'ledger', level: 'info', destination: jsonLogSink(platform.ledger.logs) }),
    telemetry: false,
  });
  return { service, close: () => service.close() };
}
