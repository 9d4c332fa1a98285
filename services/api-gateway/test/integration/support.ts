import type { Type } from '@nestjs/common';
import { Pool } from 'pg';
import type { ContractTopic, Envelope } from '@txn/contracts';
import { startSuiteService, suiteResources, suiteSender, type SuiteSender } from '@txn/service-harness';
import type { RunningService, ServiceDefinition } from '@txn/service-kit';
import { Cleanups, collectEvents, testEnvironment, type LogLine } from '@txn/testing';
import { apiGatewayService } from '../../src/service';
import { DEFAULT_GATEWAY_SETTINGS, type GatewaySettings } from '../../src/settings';

// The api-gateway in-process for the integration suites, as main.ts starts it (bootstrapService,
// the hybrid HTTP + consumer application) on the real PostgreSQL, Kafka and registry: a suite
// database, suite topics, a suite consumer group, the public API on a free port.

export const FLOW_TIMEOUT_MS = 30_000;
const PARTITIONS_PER_TOPIC = 3;
const POOL_MAX = 2;

/** The topics the gateway reads (its read models) and writes (commands, security events); each has a suite topic. */
export const GATEWAY_TOPICS = ['booking.commands.v1', 'booking.events.v1', 'payment.commands.v1', 'payment.events.v1', 'ledger.events.v1', 'security.events.v1', 'audit.records.v1', 'notification.events.v1', 'customer.keys.v1'] as const satisfies readonly ContractTopic[];
export type GatewayTopic = (typeof GATEWAY_TOPICS)[number];

export interface SeenRecord {
  readonly topic: string;
  readonly eventType: string;
  readonly key: string | undefined;
  readonly value: { readonly envelope: Envelope; readonly [field: string]: unknown };
}

export interface GatewayInProcess {
  readonly service: RunningService;
  /** http://127.0.0.1:<api port> */
  readonly baseUrl: string;
  /** The suite database as its administrator would see it (the tests' view; not the service's role). */
  readonly pool: Pool;
  readonly logs: readonly LogLine[];
  readonly sender: SuiteSender;
  /** What the reader saw on the topics it was asked to read, in arrival order. */
  readonly seen: readonly SeenRecord[];
  readonly topicOf: Readonly<Record<GatewayTopic, string>>;
  /** Every instance (the first is `service`/`baseUrl`): one database, one set of topics, one consumer group. */
  readonly instances: readonly { readonly service: RunningService; readonly baseUrl: string; readonly logs: readonly LogLine[] }[];
  close(): Promise<void>;
}

export interface GatewaySuiteOptions {
  readonly suiteName: string;
  readonly settings?: Partial<GatewaySettings>;
  /** Settings main.ts reads from the environment beyond the shared ones (keys, secrets). */
  readonly environment?: Readonly<Record<string, string>>;
  /** The contract topics whose records the reader collects into `seen`. */
  readonly read?: readonly GatewayTopic[];
  /** Controllers added to the gateway's module for a suite (a probe route exercising a cross-cutting rule). */
  readonly controllers?: readonly Type[];
  /** How many gateway instances to start side by side (default 1), as `PLATFORM_INSTANCES` runs them. */
  readonly instances?: number;
}

export async function startGatewayInProcess(options: GatewaySuiteOptions): Promise<GatewayInProcess> {
  const cleanups = new Cleanups();
  const close = (): Promise<void> => cleanups.runAll();
  try {
    const environment = testEnvironment();
    const { scope, topicOf, secret } = await suiteResources(options.suiteName, GATEWAY_TOPICS, PARTITIONS_PER_TOPIC, cleanups);
    const database = await scope.database('api_gateway');
    const settings: GatewaySettings = { ...DEFAULT_GATEWAY_SETTINGS, apiPort: 0, ...options.settings };
    const instances: { service: RunningService; baseUrl: string; logs: LogLine[] }[] = [];
    for (let index = 0; index < (options.instances ?? 1); index += 1) {
      const started = await startSuiteService({
        service: 'api-gateway',
        database,
        secret,
        environment: options.environment ?? {},
        readSettings: () => ({}),
        definition: () => withControllers(apiGatewayService(settings), options.controllers ?? []),
        topicOverrides: topicOf,
        consumerGroup: scope.groupId('api-gateway'),
        cleanups,
      });
      if (started.service.apiPort === undefined) throw new Error('the gateway started without its public HTTP port');
      instances.push({ service: started.service, baseUrl: `http://127.0.0.1:${started.service.apiPort}`, logs: started.logs });
    }
    const [{ service, logs }] = instances as [(typeof instances)[number]];
    const pool = new Pool({ ...database, max: POOL_MAX, connectionTimeoutMillis: 5_000 });
    cleanups.push(() => pool.end());
    const sender = await suiteSender(`${options.suiteName}-test`, topicOf, cleanups);
    const seen: SeenRecord[] = [];
    if ((options.read ?? []).length > 0) {
      const reader = await collectEvents({
        brokers: environment.kafka.brokers,
        clientId: `${options.suiteName}-reader`,
        groupId: scope.groupId('reader'),
        topics: (options.read ?? []).map((topic) => topicOf[topic]),
        codec: sender.codec,
        collect: ({ topic, eventType, key, value }) => seen.push({ topic, eventType, key, value: value as SeenRecord['value'] }),
      });
      cleanups.push(() => reader.stop());
    }
    return { service, baseUrl: `http://127.0.0.1:${String(service.apiPort)}`, pool, logs, sender, seen, topicOf, instances, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

function withControllers(definition: ServiceDefinition, controllers: readonly Type[]): ServiceDefinition {
  if (controllers.length === 0) return definition;
  return {
    ...definition,
    module: (dependencies) => {
      const module = definition.module(dependencies);
      return { ...module, controllers: [...(module.controllers ?? []), ...controllers] };
    },
  };
}
