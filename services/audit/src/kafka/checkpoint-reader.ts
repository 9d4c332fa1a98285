import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { ChainCheckpoint } from '@txn/audit-domain';
import { AuditCheckpointTaken } from '@txn/contracts';
import type { AvroCodec } from '@txn/messaging';

export interface CheckpointReaderOptions {
  readonly brokers: readonly string[];
  /** audit.checkpoints.v1 as deployed (with the environment's prefix). */
  readonly topic: string;
  readonly codec: Pick<AvroCodec, 'decode'>;
  readonly timeout_ms?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

function later(current: ChainCheckpoint | undefined, candidate: ChainCheckpoint): boolean {
  return current === undefined || candidate.seq > current.seq;
}

/**
 * The latest checkpoint of every chain, read from the start of audit.checkpoints.v1 to the end it
 * had when asked (a group of its own, never committing, deleted afterwards). This is the copy of
 * the chain heads outside the audit database: what truncation and rewriting are judged by.
 */
export async function readLatestCheckpoints(options: CheckpointReaderOptions): Promise<Map<string, ChainCheckpoint>> {
  const kafka = new Kafka({ clientId: 'audit-verify', brokers: [...options.brokers], logLevel: logLevel.NOTHING, connectionTimeout: 5_000, requestTimeout: 15_000 });
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `audit-verify-${randomBytes(6).toString('hex')}`;
  try {
    const offsets = await admin.fetchTopicOffsets(options.topic);
    const pending = new Map(offsets.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]));
    const latest = new Map<string, ChainCheckpoint>();
    if (pending.size === 0) return latest;
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    await consumer.connect();
    try {
      await new Promise<void>((resolvePromise, reject) => {
        const timer = setTimeout(() => reject(new Error(`could not read ${options.topic} to its end within ${options.timeout_ms ?? DEFAULT_TIMEOUT_MS} ms`)), options.timeout_ms ?? DEFAULT_TIMEOUT_MS);
        const onMessage = async (partition: number, offset: string, value: Buffer | null): Promise<void> => {
          const decoded = await options.codec.decode(value, (name) => (name === AuditCheckpointTaken.fullName ? AuditCheckpointTaken.schema : undefined));
          const taken = decoded.value as AuditCheckpointTaken;
          const checkpoint = { chainId: taken.chainId, seq: Number(taken.seq), hash: taken.headHash };
          if (later(latest.get(checkpoint.chainId), checkpoint)) latest.set(checkpoint.chainId, checkpoint);
          const last = pending.get(partition);
          if (last !== undefined && BigInt(offset) >= last) pending.delete(partition);
          if (pending.size === 0) {
            clearTimeout(timer);
            resolvePromise();
          }
        };
        consumer
          .subscribe({ topics: [options.topic], fromBeginning: true })
          .then(() => consumer.run({ autoCommit: false, eachMessage: ({ partition, message }) => onMessage(partition, message.offset, message.value).catch(reject) }))
          .catch(reject);
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
    return latest;
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
