import { Type, types, type ForSchemaOptions, type Schema } from 'avsc';

/**
 * The one mapping from Avro to TypeScript values, used to encode and to decode everywhere
 * (generated codecs, the registry client in @txn/messaging):
 *   long             → bigint  (amounts and versions can exceed 2^53; avsc's default `number` throws there)
 *   timestamp-millis → Date
 *   uuid, string     → string
 *   enum             → string (a literal union in the generated types)
 *   ["null", T]      → T | null
 * Decision note: docs/decisions/0006-avro-contracts.md.
 */

const LONG_BYTES = 8;

/** Decimal text or an integer number; anything else would be a silent precision loss or a bug. */
function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`not an Avro long: ${typeof value}`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * avsc calls these with the 8 little-endian bytes of the zig-zag-decoded long. `toJSON` must be
 * lossless because avsc's clone is `fromJSON(toJSON(value))`: a number where that is exact, the
 * decimal text otherwise.
 */
const bigintLong = types.LongType.__with({
  fromBuffer: (buffer: Buffer): bigint => buffer.readBigInt64LE(0),
  toBuffer: (value: bigint): Buffer => {
    const buffer = Buffer.alloc(LONG_BYTES);
    buffer.writeBigInt64LE(value, 0);
    return buffer;
  },
  fromJSON: toBigInt,
  toJSON: (value: bigint): number | string => {
    const asNumber = Number(value);
    return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
  },
  isValid: (value: unknown): boolean => typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX,
  compare: (a: bigint, b: bigint): number => (a === b ? 0 : a < b ? -1 : 1),
});

/**
 * Marks the schema a logical type hands to avsc for its underlying long, so that the type hook
 * gives it the bigint long too. avsc's plain long loses precision beyond 2^52 (its zig-zag step
 * doubles the number), which a property test found for dates far from the epoch.
 */
const UNDERLYING_LONG_MARKER = 'x-txn-underlying-long';

/** Avro `timestamp-millis` (a long) as a JavaScript Date; out-of-range Dates are invalid values. */
class TimestampMillisType extends types.LogicalType {
  constructor(schema: Schema, opts?: unknown) {
    super({ ...(schema as object), [UNDERLYING_LONG_MARKER]: true } as unknown as Schema, opts);
  }

  protected override _fromValue(value: number | bigint): Date {
    return new Date(Number(value));
  }

  protected override _toValue(value: unknown): bigint | number | undefined {
    // undefined tells avsc "not a valid value" (isValid false, toBuffer throws).
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) return undefined;
    // Without our type hook (someone passed only logicalTypes) the underlying long is avsc's own.
    return this.underlyingType.typeName === 'abstract:long' ? BigInt(value.getTime()) : value.getTime();
  }

  /** Reads a writer's timestamp-millis or plain long (the same bytes) into a Date. */
  protected override _resolve(writer: Type): ((value: number | bigint) => Date) | undefined {
    const writerTypeName = writer instanceof TimestampMillisType ? 'timestamp-millis' : writer.typeName;
    if (writerTypeName === 'timestamp-millis' || writerTypeName === 'long' || writerTypeName === 'abstract:long') {
      return (value) => this._fromValue(value);
    }
    return undefined;
  }
}

const LOGICAL_TYPES: ForSchemaOptions['logicalTypes'] = { 'timestamp-millis': TimestampMillisType };

function isLongSchema(schema: Schema): boolean {
  if (schema === 'long') return true;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return false;
  const object = schema as { type?: unknown; logicalType?: unknown; [UNDERLYING_LONG_MARKER]?: unknown };
  if (object.type !== 'long') return false;
  if (object[UNDERLYING_LONG_MARKER] === true) return true;
  // A logical type we implement (timestamp-millis) builds its own underlying long.
  return typeof object.logicalType !== 'string' || LOGICAL_TYPES[object.logicalType] === undefined;
}

/**
 * avsc `forSchema` options, also accepted as @kafkajs/confluent-schema-registry's AVRO options.
 * Deliberately no `registry` object: avsc adds every named type it parses to that object, so a
 * shared one would make a second parse of any schema fail with "duplicate type name". A type
 * hook and logical types are stateless and safe to share.
 */
export const AVRO_TYPE_OPTIONS: Readonly<Pick<ForSchemaOptions, 'logicalTypes' | 'typeHook' | 'wrapUnions' | 'omitRecordMethods'>> = Object.freeze({
  logicalTypes: LOGICAL_TYPES,
  typeHook: (schema: Schema): Type | undefined => (isLongSchema(schema) ? bigintLong : undefined),
  // Only ["null", T] unions are allowed in our schemas; unwrapped they read as T | null.
  wrapUnions: 'never' as const,
  // Decoded records are data: no avsc methods (toBuffer, clone, ...) on them.
  omitRecordMethods: true,
});

/** A fresh avsc Type with the project's mapping (each call has its own name registry). */
export function avroType(schema: Schema | object): Type {
  return Type.forSchema(schema as Schema, { ...AVRO_TYPE_OPTIONS });
}
