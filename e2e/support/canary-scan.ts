import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { testEnvironment } from '@txn/testing';

// Where a canary could hide after a saga: every record of the suite's topics (keys, values and
// headers as stored, bytes), every row of every table of the suite's databases, every log line.
// Strings are searched as UTF-8 bytes: Avro writes strings as UTF-8, so a value in clear shows.

const SCAN_TIMEOUT_MS = 60_000;

/** Every record of the topics, up to their end offsets at the time of the call, as raw bytes. */
export async function topicBytes(topics: readonly string[], groupPrefix: string): Promise<Buffer[]> {
  const kafka = new Kafka({ clientId: 'e2e-canary-scan', brokers: [...testEnvironment().kafka.brokers], logLevel: logLevel.NOTHING, connectionTimeout: 5_000, requestTimeout: 10_000 });
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  try {
    for (const topic of topics) {
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) if (BigInt(high) > BigInt(low)) remaining.set(`${topic}/${partition}`, BigInt(high));
    }
  } finally {
    await admin.disconnect();
  }
  const chunks: Buffer[] = [];
  if (remaining.size === 0) return chunks;
  const consumer = kafka.consumer({ groupId: `${groupPrefix}.canary-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the canary scan did not reach the end of ${[...remaining.keys()].join(', ')} in ${SCAN_TIMEOUT_MS} ms`)), SCAN_TIMEOUT_MS);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          chunks.push(message.key ?? Buffer.alloc(0), message.value ?? Buffer.alloc(0));
          for (const header of Object.values(message.headers ?? {})) if (Buffer.isBuffer(header)) chunks.push(header);
          const end = remaining.get(`${topic}/${partition}`);
          if (end !== undefined && BigInt(message.offset) + 1n >= end) remaining.delete(`${topic}/${partition}`);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return chunks;
}

/** Every row of every table in the database's public schema, as PostgreSQL prints it. */
export async function tableText(pool: Pool): Promise<Map<string, string>> {
  const { rows: tables } = await pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name");
  const texts = new Map<string, string>();
  for (const { table_name: table } of tables) {
    const { rows } = await pool.query<{ text: string | null }>(`SELECT string_agg(t::text, E'\\n') AS text FROM "${table}" t`);
    texts.set(table, rows[0]?.text ?? '');
  }
  return texts;
}

/** Where each needle was found: `topic bytes`, `<database>.<table>`, `<service> logs`. */
export function findings(needles: readonly string[], haystacks: { readonly topics: readonly Buffer[]; readonly tables: ReadonlyMap<string, string>; readonly logs: ReadonlyMap<string, string> }): string[] {
  const found: string[] = [];
  for (const needle of needles) {
    const bytes = Buffer.from(needle, 'utf8');
    if (haystacks.topics.some((chunk) => chunk.includes(bytes))) found.push(`${needle} in topic records`);
    for (const [table, text] of haystacks.tables) if (text.includes(needle)) found.push(`${needle} in table ${table}`);
    for (const [service, text] of haystacks.logs) if (text.includes(needle)) found.push(`${needle} in ${service} logs`);
  }
  return found;
}
