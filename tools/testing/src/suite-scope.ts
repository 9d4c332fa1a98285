import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { dropProvisionedDatabases, provisionServiceDatabase, type PostgresAdminConnection } from '@txn/infra-local';
import { testEnvironment } from './environment';
import { waitFor } from './wait-for';

/**
 * A suite's database with the two roles a service's database has (decision 0015). `user` and
 * `password` are the owner's: what a suite that builds or inspects its own tables logs in as (and a
 * service's migrations run as); `runtime` is the running service's role, with only the privileges
 * its migrations declare.
 */
export interface SuiteDatabase {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** The schema's owner (the migration role). */
  readonly user: string;
  readonly password: string;
  /** The running service's role: no DDL, only what the migrations' grants declare once they ran. */
  readonly runtime: { readonly user: string; readonly password: string };
}

/** Resources private to one test suite, so suites can run in parallel against one stack. */
export interface SuiteScope {
  /** Unique per suite run, e.g. `kafka_ab12cd`; safe in topic, group and database names. */
  readonly id: string;
  topic(base: string): string;
  groupId(base: string): string;
  /** Creates topics (explicitly, as production does); all are deleted by dispose(). */
  createTopics(topics: readonly { topic: string; numPartitions: number }[]): Promise<void>;
  /** A database with its own owner and runtime roles (least privilege, decision 0015); dropped by dispose(). */
  database(label?: string): Promise<SuiteDatabase>;
  dispose(): Promise<void>;
}

const ADMIN_TIMEOUT_MS = 10_000;
const TOPIC_READY_TIMEOUT_MS = 30_000;

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 24) || 'suite';
}

/** One admin call on a connection of its own: a connection that broke stays broken in kafkajs ("Broker not connected" until the end), a new one does not. */
async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Creates the suite's topics. Under CPU load kafkajs' waitForLeaders sometimes fails with
 * UNKNOWN_TOPIC_OR_PARTITION (it retries only LEADER_NOT_AVAILABLE) although the topics were
 * created; so create (a repeat reports "exists" and is harmless), then wait for every leader
 * ourselves. Each attempt gets a fresh admin connection: under load a connection can time out,
 * and kafkajs' admin then answered "Broker not connected" to every retry for 30 s (CI saw it).
 */
async function createTopicsWithLeaders(kafka: Kafka, wanted: readonly { readonly topic: string; readonly numPartitions: number }[], onCreated: () => void): Promise<void> {
  await waitFor(`topics ${wanted.map((t) => t.topic).join(', ')} to be created`, async () => {
    await withAdmin(kafka, (admin) => admin.createTopics({ waitForLeaders: false, timeout: ADMIN_TIMEOUT_MS, topics: wanted.map(({ topic, numPartitions }) => ({ topic, numPartitions, replicationFactor: 1 })) }));
    return true;
  }, TOPIC_READY_TIMEOUT_MS, 200);
  // Created: from here on they are the suite's to delete, whether or not the leaders come.
  onCreated();
  await waitFor('a leader for every partition', async () => {
    const metadata = await withAdmin(kafka, (admin) => admin.fetchTopicMetadata({ topics: wanted.map((t) => t.topic) }));
    const ready = wanted.every(({ topic, numPartitions }) => {
      const partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
      return partitions.length === numPartitions && partitions.every((p) => p.leader >= 0);
    });
    return ready ? true : undefined;
  }, TOPIC_READY_TIMEOUT_MS, 100);
}

/** Deletes the suite's topics and the dead-letter topics its consumers created for them (`<topic>.<group>.dlq`). */
async function deleteSuiteTopics(kafka: Kafka, topics: ReadonlySet<string>): Promise<void> {
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  try {
    const deadLetters = (await kafkaAdmin.listTopics()).filter((name) => [...topics].some((topic) => name.startsWith(`${topic}.`) && name.endsWith('.dlq')));
    await kafkaAdmin.deleteTopics({ topics: [...topics, ...deadLetters], timeout: ADMIN_TIMEOUT_MS });
  } finally {
    await kafkaAdmin.disconnect();
  }
}

export async function createSuiteScope(suiteName: string): Promise<SuiteScope> {
  const environment = testEnvironment();
  const id = `${slug(suiteName)}_${randomBytes(3).toString('hex')}`;
  const topics = new Set<string>();
  const databases = new Set<string>();
  const admin: PostgresAdminConnection = {
    host: environment.postgres.host,
    port: environment.postgres.port,
    user: environment.postgres.adminUser,
    password: environment.postgres.adminPassword,
  };
  const kafka = new Kafka({ clientId: `test-${id}`, brokers: [...environment.kafka.brokers], logLevel: logLevel.NOTHING, connectionTimeout: ADMIN_TIMEOUT_MS, requestTimeout: ADMIN_TIMEOUT_MS });

  return {
    id,
    topic: (base) => `test.${id}.${base}`,
    groupId: (base) => `test.${id}.${base}`,
    async createTopics(wanted) {
      await createTopicsWithLeaders(kafka, wanted, () => wanted.forEach(({ topic }) => topics.add(topic)));
    },
    async database(label = 'db') {
      const name = `t_${id}_${slug(label)}`.slice(0, 50);
      const passwords = { owner: randomBytes(18).toString('base64url'), runtime: randomBytes(18).toString('base64url') };
      const { database, owner, runtime } = await provisionServiceDatabase(admin, name, passwords);
      databases.add(name);
      return { host: admin.host, port: admin.port, database, user: owner, password: passwords.owner, runtime: { user: runtime, password: passwords.runtime } };
    },
    async dispose() {
      if (databases.size > 0) await dropProvisionedDatabases(admin, [...databases]);
      databases.clear();
      if (topics.size > 0) await deleteSuiteTopics(kafka, topics);
      topics.clear();
    },
  };
}
