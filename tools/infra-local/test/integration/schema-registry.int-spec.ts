import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { createSuiteScope, testEnvironment, waitFor, type SuiteScope } from '@txn/testing';
import { findRootDir, loadPlatformConfig } from '../../src/config';
import { runCommand } from '../../src/run-command';

// The registry the platform runs (Apicurio, Confluent-compatible API) through the client every
// service uses (@kafkajs/confluent-schema-registry 4.1.0, unchanged), with real Kafka in between:
// register → evolve under BACKWARD_TRANSITIVE → encode → produce → consume → decode.

const POLICY = COMPATIBILITY.BACKWARD_TRANSITIVE;
const REQUEST_TIMEOUT_MS = 5_000;
const CONNECTION_TIMEOUT_MS = 3_000;
/** Joining a group and fetching from a single local broker takes well under this. */
const CONSUME_TIMEOUT_MS = 20_000;
const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
/** A cold venv with Confluent's Python client installs in about 10 s (wheels from PyPI). */
const CONFLUENT_CHECK_TIMEOUT_MS = 240_000;
const PIP_TIMEOUT_MS = 180_000;
const PYTHON_RUN_TIMEOUT_MS = 40_000;

interface AvroField {
  readonly name: string;
  readonly type: string;
  readonly default?: string;
}
interface AvroRecord {
  readonly type: 'record';
  readonly name: string;
  readonly namespace: string;
  fields: AvroField[];
}

// Three versions of one contract. v2 adds a field with a default (compatible with v1). v3 drops
// that default: it can read v2 data (which has the field) but not v1 data, so plain BACKWARD would
// accept it and BACKWARD_TRANSITIVE must refuse it.
const paymentV1: AvroRecord = {
  type: 'record',
  name: 'PaymentAuthorized',
  namespace: 'test.payments',
  fields: [
    { name: 'paymentId', type: 'string' },
    { name: 'amountMinor', type: 'long' },
    { name: 'currency', type: 'string' },
  ],
};
const paymentV2: AvroRecord = {
  ...paymentV1,
  fields: [...paymentV1.fields, { name: 'captureMethod', type: 'string', default: 'automatic' }],
};
const paymentV3NoDefault: AvroRecord = {
  ...paymentV1,
  fields: [...paymentV1.fields, { name: 'captureMethod', type: 'string' }],
};
const paymentAmountAsString: AvroRecord = {
  ...paymentV1,
  fields: [
    { name: 'paymentId', type: 'string' },
    { name: 'amountMinor', type: 'string' },
    { name: 'currency', type: 'string' },
    { name: 'captureMethod', type: 'string', default: 'automatic' },
  ],
};

function avro(schema: AvroRecord): { type: SchemaType.AVRO; schema: string } {
  return { type: SchemaType.AVRO, schema: JSON.stringify(schema) };
}

async function registryRequest(method: 'GET' | 'POST' | 'DELETE', url: string, body?: object): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method,
    headers: { 'Content-Type': REGISTRY_CONTENT_TYPE, Accept: REGISTRY_CONTENT_TYPE },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

const rootDir = findRootDir(__dirname);
const confluentCheckDir = join(rootDir, 'deploy/local/schema-registry/confluent-check');

/**
 * A venv with Confluent's own Python client (pinned in confluent-check/requirements.txt), kept in
 * the state folder and rebuilt only when the pins change.
 */
async function confluentCheckPython(logFile: string): Promise<string> {
  const config = loadPlatformConfig(process.env, rootDir);
  const requirements = join(confluentCheckDir, 'requirements.txt');
  const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const venv = join(config.stateDir, 'schema-registry', 'confluent-check-venv');
  const python = join(venv, 'bin', 'python');
  const stamp = join(venv, 'requirements.sha256');
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return python;
  rmSync(venv, { recursive: true, force: true });
  await runCommand('python3', ['-m', 'venv', venv], { logFile, timeout_ms: 60_000 });
  const pipEnv = { PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
  await runCommand(python, ['-m', 'pip', 'install', '--no-deps', '-r', requirements], { logFile, timeout_ms: PIP_TIMEOUT_MS, env: pipEnv });
  await runCommand(python, ['-m', 'pip', 'check'], { logFile, timeout_ms: 60_000, env: pipEnv });
  writeFileSync(stamp, wanted);
  return python;
}

/** The `RESULT {json}` lines confluent_check.py prints. */
function checkResults(output: string): unknown[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('RESULT '))
    .map((line) => JSON.parse(line.slice('RESULT '.length)) as unknown);
}

describe('schema registry: Avro contracts evolve under BACKWARD_TRANSITIVE and travel through Kafka in Confluent wire format', () => {
  let scope: SuiteScope;
  let baseUrl: string;
  let registry: SchemaRegistry;
  let kafka: Kafka;
  let topic: string;
  let subject: string;
  const subjectsToDelete: string[] = [];
  const openClients: Array<Producer | Consumer> = [];

  beforeAll(async () => {
    scope = await createSuiteScope('schema-registry');
    baseUrl = testEnvironment().schemaRegistry.url;
    registry = new SchemaRegistry({
      host: baseUrl,
      clientId: `test-${scope.id}`,
      // Few, short retries: a local registry either answers at once or something is broken.
      retry: { retries: 2, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 2 },
    });
    kafka = new Kafka({
      clientId: `test-${scope.id}`,
      brokers: [...testEnvironment().kafka.brokers],
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: 10_000,
      retry: { retries: 5, maxRetryTime: 5_000 },
      logLevel: logLevel.NOTHING,
    });
    topic = scope.topic('payments');
    // TopicNameStrategy, as Confluent's serializers name value subjects.
    subject = `${topic}-value`;
    subjectsToDelete.push(subject);
    await scope.createTopics([{ topic, numPartitions: 1 }]);
  });

  afterAll(async () => {
    for (const client of openClients) await client.disconnect().catch(() => undefined);
    // Soft delete, then permanent delete, as the Confluent API requires; ids stay unique anyway.
    for (const name of subjectsToDelete) {
      const encoded = encodeURIComponent(name);
      await registryRequest('DELETE', `${baseUrl}/subjects/${encoded}`).catch(() => undefined);
      await registryRequest('DELETE', `${baseUrl}/subjects/${encoded}?permanent=true`).catch(() => undefined);
    }
    await scope?.dispose();
  });

  let v1Id: number;
  let v2Id: number;
  const v1Value = { paymentId: 'pay_1', amountMinor: 12_345, currency: 'EUR' };
  const v2Value = { paymentId: 'pay_2', amountMinor: 500, currency: 'GBP', captureMethod: 'manual' };
  /** What the test's kafkajs consumer received, in offset order (one partition). */
  const received: KafkaMessage[] = [];

  it('registers a first version and gives the subject BACKWARD_TRANSITIVE explicitly', async () => {
    ({ id: v1Id } = await registry.register(avro(paymentV1), { subject, compatibility: POLICY }));
    expect(Number.isInteger(v1Id) && v1Id > 0).toBe(true);

    const config = await registryRequest('GET', `${baseUrl}/config/${encodeURIComponent(subject)}`);
    expect(config).toEqual({ status: 200, json: { compatibilityLevel: POLICY } });
    // Registering the same schema again is a no-op that answers the same id (services do this at start).
    await expect(registry.register(avro(paymentV1), { subject, compatibility: POLICY })).resolves.toEqual({ id: v1Id });
  });

  it('accepts a compatible evolution: a new field with a default', async () => {
    ({ id: v2Id } = await registry.register(avro(paymentV2), { subject, compatibility: POLICY }));
    expect(v2Id).not.toBe(v1Id);
    const latest = await registryRequest('GET', `${baseUrl}/subjects/${encodeURIComponent(subject)}/versions/latest`);
    expect(latest.json).toMatchObject({ subject, version: 2, id: v2Id });
  });

  it('refuses a change that old data could not be read with: a field without default, checked against every version', async () => {
    await expect(registry.register(avro(paymentV3NoDefault), { subject, compatibility: POLICY })).rejects.toMatchObject({ status: 409 });
  });

  it('refuses a change of a field type', async () => {
    await expect(registry.register(avro(paymentAmountAsString), { subject, compatibility: POLICY })).rejects.toMatchObject({ status: 409 });
    const versions = await registryRequest('GET', `${baseUrl}/subjects/${encodeURIComponent(subject)}/versions`);
    expect(versions.json).toEqual([1, 2]);
  });

  it('lets the client register into a subject that exists without its own rule (registry default = policy)', async () => {
    // A subject created by another tool (here: a raw POST) has no subject-level rule; the client
    // then GETs /config/{subject} and throws unless the answer equals its `compatibility` option.
    const bare = `${scope.topic('bare')}-value`;
    subjectsToDelete.push(bare);
    const created = await registryRequest('POST', `${baseUrl}/subjects/${encodeURIComponent(bare)}/versions`, { schema: JSON.stringify(paymentV1) });
    expect(created.status).toBe(200);
    await expect(registry.register(avro(paymentV2), { subject: bare, compatibility: POLICY })).resolves.toHaveProperty('id');
    await expect(registry.register(avro(paymentV3NoDefault), { subject: bare, compatibility: POLICY })).rejects.toMatchObject({ status: 409 });
  });

  it('encodes in Confluent wire format, carries it through Kafka and decodes old data with the new reader schema', async () => {
    const v1Bytes = await registry.encode(v1Id, v1Value);
    const v2Bytes = await registry.encode(v2Id, v2Value);

    // Magic byte 0, then the schema id as a 4-byte big-endian integer, then the Avro body.
    expect(v1Bytes[0]).toBe(0);
    expect(v1Bytes.readInt32BE(1)).toBe(v1Id);
    expect(v2Bytes[0]).toBe(0);
    expect(v2Bytes.readInt32BE(1)).toBe(v2Id);

    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    openClients.push(producer);
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: v1Value.paymentId, value: v1Bytes },
        { key: v2Value.paymentId, value: v2Bytes },
      ],
    });

    const consumer = kafka.consumer({
      groupId: scope.groupId('decoder'),
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
    openClients.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(message) });
    await waitFor('both messages consumed', () => (received.length >= 2 ? received : undefined), CONSUME_TIMEOUT_MS);

    const [first, second] = received.map((message) => message.value ?? Buffer.alloc(0));
    expect(first?.equals(v1Bytes)).toBe(true);
    expect(second?.equals(v2Bytes)).toBe(true);

    // A fresh client (empty cache) fetches the writer schemas by id, as a consumer service would.
    const reader = new SchemaRegistry({ host: baseUrl, clientId: `test-${scope.id}-reader`, retry: { retries: 2 } });
    await expect(reader.decode(first ?? Buffer.alloc(0))).resolves.toEqual(v1Value);
    await expect(reader.decode(second ?? Buffer.alloc(0))).resolves.toEqual(v2Value);
    // A v2 consumer reads a v1 message: the writer's schema resolved into the reader's, default filled in.
    await expect(reader.decode(first ?? Buffer.alloc(0), { [SchemaType.AVRO]: { readerSchema: paymentV2 } })).resolves.toEqual({
      ...v1Value,
      captureMethod: 'automatic',
    });
  });
  it("agrees with Confluent's own Python client: it decodes our messages, and we decode its", async () => {
    const logFile = join(loadPlatformConfig(process.env, rootDir).stateDir, 'logs', 'schema-registry-confluent-check.log');
    const python = await confluentCheckPython(logFile);
    const script = join(confluentCheckDir, 'confluent_check.py');
    const common = ['--bootstrap', testEnvironment().kafka.brokers.join(','), '--registry', baseUrl, '--topic', topic, '--timeout-s', '20'];
    const run = async (args: readonly string[]): Promise<unknown[]> =>
      checkResults(await runCommand(python, [script, ...common, ...args], { logFile, timeout_ms: PYTHON_RUN_TIMEOUT_MS }));

    const consumed = await run(['consume', '--group', scope.groupId('confluent-python'), '--count', '2']);
    expect(consumed).toEqual([
      { offset: 0, schemaId: v1Id, value: v1Value },
      { offset: 1, schemaId: v2Id, value: v2Value },
    ]);

    // Confluent's serializer finds the registered v2 by content (it registers nothing) and
    // writes its id; our consumer reads and decodes that message.
    const v2FromPython = { paymentId: 'pay_3', amountMinor: 7, currency: 'USD', captureMethod: 'manual' };
    const produced = await run(['produce', '--schema', JSON.stringify(paymentV2), '--key', 'pay_3', '--value', JSON.stringify(v2FromPython)]);
    expect(produced).toEqual([expect.objectContaining({ schemaId: v2Id })]);
    const third = await waitFor('the Python-produced message', () => received[2], CONSUME_TIMEOUT_MS);
    const bytes = third.value ?? Buffer.alloc(0);
    expect([bytes[0], bytes.readInt32BE(1)]).toEqual([0, v2Id]);
    await expect(registry.decode(bytes)).resolves.toEqual(v2FromPython);
  }, CONFLUENT_CHECK_TIMEOUT_MS);
});
