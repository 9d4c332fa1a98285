import type { AvroCodec, ReaderSchemaFor } from '../avro/codec';
import { SchemaRegistryUnavailableError } from '../avro/errors';
import type { ConsumedRecord } from '../ports';
import { envelopeIdsOf } from './envelope';
import type { Pause } from './pause';
import type { InboxMessage, Item } from './pipeline';
import { backoffDelay_ms, type RetryPolicy } from './retry-policy';

export interface DecodeOptions {
  readonly codec: Pick<AvroCodec, 'decode'>;
  readonly readerSchemaFor: ReaderSchemaFor;
  /** Whether the handler takes messages of this type; others are acknowledged without effect. */
  readonly handles: (eventType: string) => boolean;
  readonly retry: RetryPolicy;
  readonly random: () => number;
  readonly onRegistryUnavailable: (record: ConsumedRecord, attempt: number, error: Error) => void;
}

/**
 * A record as the runtime handles it: decoded with the reader's schema and the envelope's ids;
 * `undecodable` (parked at once: no retry can fix its bytes); `ignored` when no handler takes its
 * type. A registry that does not answer is not the message's fault: it is waited for with backoff,
 * and after the policy's attempts the batch is given up uncommitted (thrown) — never parked.
 * Undefined when the batch was abandoned while waiting.
 */
export async function decodeRecord(record: ConsumedRecord, options: DecodeOptions, pause: Pause): Promise<Item | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const decoded = await options.codec.decode(record.value, options.readerSchemaFor);
      const ids = envelopeIdsOf(decoded.value, record.headers, decoded.eventType);
      const message: InboxMessage = {
        ...ids,
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        key: record.key === null ? null : record.key.toString('utf8'),
        writerSchemaId: decoded.writerSchemaId,
        value: decoded.value,
      };
      return { kind: options.handles(message.eventType) ? 'decoded' : 'ignored', record, message };
    } catch (error) {
      if (!(error instanceof SchemaRegistryUnavailableError)) return { kind: 'undecodable', record, error };
      options.onRegistryUnavailable(record, attempt, error);
      if (attempt >= options.retry.maxAttempts) throw error;
      if (!(await pause(backoffDelay_ms(options.retry, attempt, options.random)))) return undefined;
    }
  }
}
