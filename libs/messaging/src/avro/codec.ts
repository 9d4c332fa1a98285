import avro from 'avsc';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import {
  CorruptPayloadError,
  IncompatibleSchemaError,
  InvalidValueError,
  NoReaderSchemaError,
  SchemaNotRegisteredError,
  SchemaRegistryUnavailableError,
  UnknownSchemaIdError,
} from './errors';
import { readWireFrame, writeWireFrame } from './wire-format';
import { AVRO_TYPE_OPTIONS } from '@txn/contracts';

/** An Avro schema as parsed JSON (what the generated contracts export) or as its JSON text. */
export type AvroSchemaDefinition = avro.Schema | Readonly<Record<string, unknown>>;

/** avsc parse options (logical types, long → bigint, …); @txn/contracts exports the platform's. */
export type AvroTypeOptions = Partial<avro.ForSchemaOptions>;

/** Given the writer's full record name (e.g. `txn.booking.BookingHeld`), the reader's schema for it. */
export type ReaderSchemaFor = (writerFullName: string) => AvroSchemaDefinition | undefined;

export interface DecodedMessage {
  readonly writerSchemaId: number;
  /** The writer's record name without namespace, e.g. `BookingHeld` (the envelope's eventType). */
  readonly eventType: string;
  readonly writerFullName: string;
  /** The value in the reader's shape (fields the reader added are filled from their defaults). */
  readonly value: unknown;
}

export interface AvroCodecOptions {
  /** Base URL of the Confluent-compatible API, e.g. http://127.0.0.1:18081/apis/ccompat/v7. */
  readonly registryUrl: string;
  readonly clientId: string;
  /**
   * avsc options for every type this codec parses; default: the platform's one mapping from
   * @txn/contracts (long → bigint, timestamp-millis → Date), never avsc's lossy long-as-number.
   */
  readonly typeOptions?: AvroTypeOptions;
  readonly requestTimeout_ms?: number;
}

/** A registry answers locally within milliseconds; a slow answer means it is in trouble. */
export const REGISTRY_REQUEST_TIMEOUT_MS = 5_000;
/** The client's own retries of 5xx / network errors: few and short, then the caller decides. */
const REGISTRY_RETRIES = 2;
/**
 * Bound on each cache. The platform has tens of schemas; a cache this full means something
 * (e.g. a producer writing random ids) is wrong, and it is cleared rather than grown.
 */
export const MAX_CACHED_SCHEMAS = 10_000;

/** Schema objects are long-lived (generated contracts): their JSON text is computed once each. */
const schemaTextByObject = new WeakMap<object, string>();

function schemaKey(schema: AvroSchemaDefinition): string {
  if (typeof schema === 'string') return schema;
  const known = schemaTextByObject.get(schema);
  if (known !== undefined) return known;
  const text = JSON.stringify(schema);
  schemaTextByObject.set(schema, text);
  return text;
}

function boundedSet<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size >= MAX_CACHED_SCHEMAS) map.clear();
  map.set(key, value);
  return value;
}

/**
 * Confluent wire format backed by the schema registry.
 *
 * Encoding looks up the id of the exact schema (never registers: the deploy step does) and
 * serialises with a type parsed here. Decoding fetches the writer's schema by id and resolves it
 * into the reader's schema with avsc `createResolver`, so producers can evolve first.
 *
 * Writer schemas are fetched as text (`GET /schemas/ids/{id}`) rather than through the client's
 * `getSchema`: the client parses with one options object whose avsc `registry` is shared across
 * parses (two versions of one record name then collide), and an avsc type re-exported to JSON
 * loses its logical types. Every parse here gets its own copy of the type options.
 */
export class AvroCodec {
  private readonly client: SchemaRegistry;
  private readonly registryUrl: string;
  private readonly timeout_ms: number;
  private readonly typeOptions: AvroTypeOptions;
  private readonly idBySubjectAndSchema = new Map<string, Promise<number>>();
  private readonly typeBySchema = new Map<string, avro.Type>();
  private readonly writerById = new Map<number, Promise<avro.Type>>();
  private readonly resolvers = new Map<string, avro.Resolver | 'same'>();

  constructor(options: AvroCodecOptions) {
    this.registryUrl = options.registryUrl.replace(/\/+$/, '');
    this.timeout_ms = options.requestTimeout_ms ?? REGISTRY_REQUEST_TIMEOUT_MS;
    this.typeOptions = options.typeOptions ?? AVRO_TYPE_OPTIONS;
    this.client = new SchemaRegistry({
      host: this.registryUrl,
      clientId: options.clientId,
      retry: { retries: REGISTRY_RETRIES, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: this.timeout_ms / 1000 },
    });
  }

  /** The Confluent wire format bytes of `value` written with `schema`, registered under `subject`. */
  async encode(subject: string, schema: AvroSchemaDefinition, value: unknown): Promise<Buffer> {
    const type = this.typeOf(schema);
    const schemaId = await this.registeredIdOf(subject, schema, type);
    let payload: Buffer;
    try {
      payload = type.toBuffer(value);
    } catch {
      const paths: string[] = [];
      type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) });
      throw new InvalidValueError(type.name ?? '(anonymous)', paths);
    }
    return writeWireFrame(schemaId, payload);
  }

  /**
   * Decodes Confluent wire format bytes into the reader's shape. Throws an
   * UndecodableMessageError subclass for bad bytes, or SchemaRegistryUnavailableError when the
   * registry could not be asked (retry later; the message is not at fault).
   */
  async decode(buffer: Buffer | null, readerSchemaFor: ReaderSchemaFor): Promise<DecodedMessage> {
    const frame = readWireFrame(buffer);
    const writer = await this.writerTypeOf(frame.schemaId);
    const writerFullName = writer.name ?? '';
    const readerSchema = readerSchemaFor(writerFullName);
    if (readerSchema === undefined) {
      throw new NoReaderSchemaError(`this consumer has no reader schema for ${writerFullName} (schema id ${frame.schemaId})`);
    }
    const reader = this.typeOf(readerSchema);
    const resolver = this.resolverOf(reader, writer, frame.schemaId, readerSchema);
    let value: unknown;
    try {
      value = resolver === 'same' ? reader.fromBuffer(frame.payload) : reader.fromBuffer(frame.payload, resolver);
    } catch (error) {
      throw new CorruptPayloadError(`bytes do not decode as ${writerFullName} (schema id ${frame.schemaId}): ${(error as Error).message}`);
    }
    return { writerSchemaId: frame.schemaId, eventType: writerFullName.split('.').pop() ?? writerFullName, writerFullName, value };
  }

  /** A fresh copy of the options per parse: avsc adds every named type to `registry`. */
  private parse(schema: AvroSchemaDefinition): avro.Type {
    const definition = typeof schema === 'string' ? (JSON.parse(schema) as avro.Schema) : (schema as avro.Schema);
    return avro.Type.forSchema(definition, { ...this.typeOptions, registry: { ...(this.typeOptions.registry ?? {}) } });
  }

  private typeOf(schema: AvroSchemaDefinition): avro.Type {
    const key = schemaKey(schema);
    return this.typeBySchema.get(key) ?? boundedSet(this.typeBySchema, key, this.parse(schema));
  }

  private registeredIdOf(subject: string, schema: AvroSchemaDefinition, type: avro.Type): Promise<number> {
    const key = `${subject}\u0000${schemaKey(schema)}`;
    const cached = this.idBySubjectAndSchema.get(key);
    if (cached !== undefined) return cached;
    const lookup = this.client
      .getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: schemaKey(schema) })
      .catch((error: unknown) => {
        // Failures are not cached: the next call asks again (e.g. after the deploy step ran).
        this.idBySubjectAndSchema.delete(key);
        // The client wraps a 404 (unknown subject or schema) in ConfluentSchemaRegistryError.
        if ((error as Error).name === 'ConfluentSchemaRegistryError') throw new SchemaNotRegisteredError(subject, type.name ?? '(anonymous)');
        throw new SchemaRegistryUnavailableError(`schema registry lookup for subject ${subject} failed: ${(error as Error).message}`, { cause: error });
      });
    return boundedSet(this.idBySubjectAndSchema, key, lookup);
  }

  private writerTypeOf(schemaId: number): Promise<avro.Type> {
    const cached = this.writerById.get(schemaId);
    if (cached !== undefined) return cached;
    const fetched = this.fetchSchemaText(schemaId).then(
      (text) => this.parseWriter(schemaId, text),
      (error: unknown) => {
        this.writerById.delete(schemaId);
        throw error;
      },
    );
    return boundedSet(this.writerById, schemaId, fetched);
  }

  private parseWriter(schemaId: number, text: string): avro.Type {
    try {
      return this.parse(text);
    } catch (error) {
      throw new IncompatibleSchemaError(`writer schema id ${schemaId} does not parse as Avro here: ${(error as Error).message}`);
    }
  }

  private async fetchSchemaText(schemaId: number): Promise<string> {
    let response: Response;
    try {
      response = await fetch(`${this.registryUrl}/schemas/ids/${schemaId}`, {
        headers: { Accept: 'application/vnd.schemaregistry.v1+json' },
        signal: AbortSignal.timeout(this.timeout_ms),
      });
    } catch (error) {
      throw new SchemaRegistryUnavailableError(`schema registry unreachable fetching schema id ${schemaId}: ${(error as Error).message}`, { cause: error });
    }
    if (response.status === 404) throw new UnknownSchemaIdError(schemaId);
    if (!response.ok) throw new SchemaRegistryUnavailableError(`schema registry answered ${response.status} for schema id ${schemaId}`);
    const body = (await response.json()) as { schema?: unknown; schemaType?: unknown };
    if (body.schemaType !== undefined && body.schemaType !== 'AVRO') {
      throw new IncompatibleSchemaError(`schema id ${schemaId} is ${String(body.schemaType)}, not Avro`);
    }
    if (typeof body.schema !== 'string') throw new SchemaRegistryUnavailableError(`schema registry answered without a schema for id ${schemaId}`);
    return body.schema;
  }

  private resolverOf(reader: avro.Type, writer: avro.Type, schemaId: number, readerSchema: AvroSchemaDefinition): avro.Resolver | 'same' {
    const key = `${schemaId}\u0000${schemaKey(readerSchema)}`;
    const cached = this.resolvers.get(key);
    if (cached !== undefined) return cached;
    let resolver: avro.Resolver | 'same';
    try {
      resolver = reader.equals(writer) ? 'same' : reader.createResolver(writer);
    } catch (error) {
      throw new IncompatibleSchemaError(`writer schema id ${schemaId} (${writer.name ?? '?'}) cannot be read as ${reader.name ?? '?'}: ${(error as Error).message}`);
    }
    return boundedSet(this.resolvers, key, resolver);
  }
}
