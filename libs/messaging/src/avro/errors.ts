/**
 * Why a message could not be decoded. Every one of these is permanent for the bytes at hand: the
 * consumer parks the message on its dead-letter topic at once (retrying cannot help), and the
 * class name travels in the `x-dlq-error-class` header.
 */
export abstract class UndecodableMessageError extends Error {
  abstract readonly kind: 'bad-magic-byte' | 'unknown-schema-id' | 'incompatible-schema' | 'corrupt-payload' | 'no-reader-schema';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Not Confluent wire format: no value, shorter than 5 bytes, or first byte not 0. */
export class BadMagicByteError extends UndecodableMessageError {
  readonly kind = 'bad-magic-byte';
}

/** The registry does not know the writer's schema id (404). */
export class UnknownSchemaIdError extends UndecodableMessageError {
  readonly kind = 'unknown-schema-id';
  constructor(readonly schemaId: number) {
    super(`schema id ${schemaId} is not in the schema registry`);
  }
}

/** The writer's schema cannot be resolved to the reader's (avsc createResolver refused). */
export class IncompatibleSchemaError extends UndecodableMessageError {
  readonly kind = 'incompatible-schema';
}

/** The Avro bytes do not match the writer's schema (truncated, trailing data, invalid values). */
export class CorruptPayloadError extends UndecodableMessageError {
  readonly kind = 'corrupt-payload';
}

/** The reader has no schema for the writer's record name (an event type this consumer does not know). */
export class NoReaderSchemaError extends UndecodableMessageError {
  readonly kind = 'no-reader-schema';
}

/**
 * The registry could not be asked (network, timeout, 5xx). Not the message's fault: the consumer
 * retries and never dead-letters because of it.
 */
export class SchemaRegistryUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchemaRegistryUnavailableError';
  }
}

/** encode() refuses a schema that the deploy step did not register: producers never register. */
export class SchemaNotRegisteredError extends Error {
  constructor(
    readonly subject: string,
    readonly schemaName: string,
  ) {
    super(
      `schema ${schemaName} is not registered under subject ${subject}: producers never register at run time; ` +
        'run `./platform schemas register` (the deploy step) first',
    );
    this.name = 'SchemaNotRegisteredError';
  }
}

/** The value does not fit the schema it is being encoded with (a bug in the producer). */
export class InvalidValueError extends Error {
  constructor(
    readonly schemaName: string,
    readonly paths: readonly string[],
  ) {
    super(`value does not match schema ${schemaName} at ${paths.length === 0 ? '(root)' : paths.join(', ')}`);
    this.name = 'InvalidValueError';
  }
}
