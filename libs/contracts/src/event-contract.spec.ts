import fc from 'fast-check';
import { AVRO_TYPE_OPTIONS, avroType } from './avro-type-options';
import { ContractValueError, type AvroRecordSchema } from './event-contract';
import { BookingHeld, EVENT_TYPES, PaymentRefunded, type EventType } from './generated';

type Schema = unknown;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Dates JavaScript can represent: ±8.64e15 ms, all safe integers. */
const MAX_DATE_MS = 8_640_000_000_000_000;
const MAX_ARRAY_LENGTH = 4;

/** A fast-check arbitrary of valid values for an Avro schema, under the project mapping. */
function arbitraryFor(schema: Schema, named: Map<string, fc.Arbitrary<unknown>>, namespace = ''): fc.Arbitrary<unknown> {
  if (typeof schema === 'string') {
    switch (schema) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'int':
        return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
      case 'long':
        return fc.bigInt({ min: INT64_MIN, max: INT64_MAX });
      case 'string':
        return fc.string({ unit: 'grapheme', maxLength: 20 });
      case 'bytes':
        return fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes));
      default: {
        const fullName = schema.includes('.') ? schema : `${namespace}.${schema}`;
        const found = named.get(fullName);
        if (found === undefined) throw new Error(`unknown type ${fullName}`);
        return found;
      }
    }
  }
  if (Array.isArray(schema)) {
    const [, branch] = schema as [string, Schema];
    return fc.option(arbitraryFor(branch, named, namespace), { nil: null });
  }
  const object = schema as { type: Schema; logicalType?: string; name?: string; namespace?: string; symbols?: string[]; items?: Schema; fields?: { name: string; type: Schema }[] };
  if (object.logicalType === 'timestamp-millis') return fc.integer({ min: -MAX_DATE_MS, max: MAX_DATE_MS }).map((ms) => new Date(ms));
  if (object.logicalType === 'uuid') return fc.uuid();
  switch (object.type) {
    case 'enum': {
      const arbitrary = fc.constantFrom(...(object.symbols ?? []));
      named.set(`${object.namespace ?? namespace}.${object.name ?? ''}`, arbitrary);
      return arbitrary;
    }
    case 'array':
      return fc.array(arbitraryFor(object.items, named, namespace), { maxLength: MAX_ARRAY_LENGTH });
    case 'record': {
      const ownNamespace = object.namespace ?? namespace;
      const fields: Record<string, fc.Arbitrary<unknown>> = {};
      for (const field of object.fields ?? []) fields[field.name] = arbitraryFor(field.type, named, ownNamespace);
      const arbitrary = fc.record(fields);
      named.set(`${ownNamespace}.${object.name ?? ''}`, arbitrary);
      return arbitrary;
    }
    default:
      return arbitraryFor(object.type, named, namespace);
  }
}

const eventTypes = Object.keys(EVENT_TYPES) as EventType[];

describe('event contracts: Avro long ↔ bigint, timestamp-millis ↔ Date, ["null", T] ↔ T | null', () => {
  it.each(eventTypes)('%s: decode(encode(value)) equals value for arbitrary valid values', (eventType) => {
    const contract = EVENT_TYPES[eventType];
    const values = arbitraryFor(contract.schema, new Map());
    fc.assert(
      fc.property(values, (value) => {
        const decoded = (contract.decode as (body: Buffer) => unknown)((contract.encode as (v: unknown) => Buffer)(value));
        expect(decoded).toEqual(value);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps every bit of amounts beyond 2^53 and of negative amounts (no float anywhere)', () => {
    const beyondDoubles = 2n ** 53n + 1n;
    const value = refunded({ amountMinor: beyondDoubles, currency: 'EUR' }, { amountMinor: INT64_MIN, currency: 'EUR' });
    const decoded = PaymentRefunded.decode(PaymentRefunded.encode(value));
    expect(decoded.refundedAmount.amountMinor).toBe(beyondDoubles);
    expect(decoded.totalRefunded.amountMinor).toBe(INT64_MIN);
    expect(typeof decoded.envelope.aggregateVersion).toBe('bigint');
    expect(decoded.envelope.occurredAt).toEqual(new Date('2030-01-02T03:04:05.678Z'));
  });

  it('refuses values Avro cannot hold, naming the path but never the value', () => {
    const tooBig = refunded({ amountMinor: INT64_MAX + 1n, currency: 'EUR' }, { amountMinor: 1n, currency: 'EUR' });
    expect(() => PaymentRefunded.encode(tooBig)).toThrow(new ContractValueError('PaymentRefunded', ['refundedAmount.amountMinor']));
    const asNumber = { ...tooBig, refundedAmount: { amountMinor: 5 as unknown as bigint, currency: 'EUR' } };
    expect(() => PaymentRefunded.encode(asNumber)).toThrow(/refundedAmount\.amountMinor/);
    const secret = 'someone@example.com';
    const badEmail = { ...held(), customerEmail: 42 as unknown as string, customerId: secret, reason: 7 as unknown as string };
    let message = '';
    try {
      BookingHeld.encode(badEmail);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('BookingHeld: invalid value at reason, customerEmail');
    expect(message).not.toContain(secret);
  });

  it('reads an older writer schema through a resolver: a later-added long field takes its default as a bigint', () => {
    const writerSchema = { type: 'record', name: 'Fee', namespace: 'txn.test', fields: [{ name: 'amountMinor', type: 'long' }] };
    const readerSchema = { ...writerSchema, fields: [...writerSchema.fields, { name: 'capMinor', type: 'long', default: 9007199254740991 }] };
    const writer = avroType(writerSchema);
    const reader = avroType(readerSchema);
    const body = writer.toBuffer({ amountMinor: -(2n ** 60n) });
    expect(reader.fromBuffer(body, reader.createResolver(writer))).toEqual({ amountMinor: -(2n ** 60n), capMinor: 9007199254740991n });
  });

  it('can be shared by any number of forSchema calls (no shared name registry): two versions of one record parse', () => {
    const schema = BookingHeld.schema as AvroRecordSchema;
    expect(() => {
      avroType(schema);
      avroType(schema);
    }).not.toThrow();
    expect(Object.keys(AVRO_TYPE_OPTIONS).sort()).toEqual(['logicalTypes', 'omitRecordMethods', 'typeHook', 'wrapUnions']);
  });

  it('exposes the fields a logger must never print', () => {
    expect(BookingHeld.sensitiveFields).toEqual(['customerEmail']);
    expect(EVENT_TYPES.PspEventReceived.sensitiveFields).toEqual(['rawPayload']);
  });
});

const ENVELOPE = {
  eventId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
  eventType: 'PaymentRefunded',
  occurredAt: new Date('2030-01-02T03:04:05.678Z'),
  producer: 'payment',
  aggregateId: 'pay-1',
  aggregateVersion: 2n ** 60n,
  correlationId: 'booking-1',
  causationId: null,
  actor: { type: 'SERVICE' as const, id: 'payment' },
  tenantId: 'merchant-1',
};

function refunded(refundedAmount: { amountMinor: bigint; currency: string }, totalRefunded: { amountMinor: bigint; currency: string }): PaymentRefunded {
  return {
    envelope: ENVELOPE,
    paymentId: '2c1e28ba-2fa1-41d2-883f-0016d3cca427',
    bookingId: '3d1e28ba-2fa1-41d2-883f-0016d3cca427',
    statusBefore: 'CAPTURED',
    statusAfter: 'PARTIALLY_REFUNDED',
    reason: 'BOOKING_CANCELLED_AFTER_CAPTURE',
    refundId: '4e1e28ba-2fa1-41d2-883f-0016d3cca427',
    pspPaymentIntentId: 'pi_1',
    pspRefundId: 're_1',
    pspIdempotencyKey: 'refund-4e1e28ba',
    refundedAmount,
    totalRefunded,
  };
}

function held(): BookingHeld {
  return {
    envelope: { ...ENVELOPE, eventType: 'BookingHeld' },
    bookingId: '3d1e28ba-2fa1-41d2-883f-0016d3cca427',
    statusBefore: null,
    statusAfter: 'HELD',
    reason: 'REQUESTED',
    customerId: 'customer-1',
    customerEmail: null,
    slot: { resourceId: 'room-1', startsAt: new Date(0), endsAt: new Date(3_600_000) },
    price: { amountMinor: 12_345n, currency: 'EUR' },
    holdExpiresAt: new Date(900_000),
  };
}
