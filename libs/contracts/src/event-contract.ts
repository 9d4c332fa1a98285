import type { Type } from 'avsc';
import { avroType } from './avro-type-options';

/** A self-contained Avro record schema as registered (named references inlined). */
export interface AvroRecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace: string;
  readonly fields: readonly unknown[];
  readonly [attribute: string]: unknown;
}

/** What the generator knows about one event type; `T` is its generated interface. */
export interface EventContractSpec {
  /** The record's short name, also `envelope.eventType` and the `event-type` header. */
  readonly eventType: string;
  /** Namespace + name, e.g. txn.booking.BookingHeld. */
  readonly fullName: string;
  readonly topic: string;
  /** TopicRecordNameStrategy: `<topic>-<fullName>`. */
  readonly subject: string;
  readonly schema: AvroRecordSchema;
  /** Dotted paths of fields marked "x-sensitive": true (personal data): never log these. */
  readonly sensitiveFields: readonly string[];
}

export interface EventContract<T> extends EventContractSpec {
  /** The reader type (project mapping); resolve writer schemas into it with `type.createResolver`. */
  readonly type: Type;
  /** The raw Avro body (no registry framing). Throws naming the invalid paths, never the values. */
  encode(value: T): Buffer;
  /** Decodes a body written with exactly this schema; other writer schemas go through a resolver. */
  decode(body: Buffer): T;
}

export class ContractValueError extends Error {
  constructor(
    readonly eventType: string,
    readonly invalidPaths: readonly string[],
  ) {
    // Paths only: the values may be personal data or secrets and end up in logs.
    super(`${eventType}: invalid value at ${invalidPaths.join(', ') || '(root)'}`);
    this.name = 'ContractValueError';
  }
}

function invalidPaths(type: Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, { errorHook: (path: string[]) => void paths.push(path.join('.')) });
  return paths;
}

export function defineEventContract<T>(spec: EventContractSpec): EventContract<T> {
  const type = avroType(spec.schema);
  return Object.freeze({
    ...spec,
    type,
    encode(value: T): Buffer {
      try {
        return type.toBuffer(value);
      } catch {
        // avsc's own message quotes the value; ours names the paths only.
        throw new ContractValueError(spec.eventType, invalidPaths(type, value));
      }
    },
    decode(body: Buffer): T {
      return type.fromBuffer(body) as T;
    },
  });
}
