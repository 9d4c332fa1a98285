import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { AVRO_TYPE_OPTIONS, BookingHeld, EVENT_TYPES } from '@txn/contracts';
import { createSuiteScope, testEnvironment, type SuiteScope } from '@txn/testing';
import { SchemaCompatibilityError, checkCompatibility, registerSchemas, type RegisteredSubject, type SchemaCatalogue } from '../../src';

// The deploy step against the real registry (Apicurio, Confluent-compatible API): the whole
// generated catalogue under suite-unique subjects, then evolution under BACKWARD_TRANSITIVE.

const REQUEST_TIMEOUT_MS = 5_000;
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const catalogue = EVENT_TYPES as unknown as SchemaCatalogue;

async function registry(method: 'GET' | 'DELETE', url: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method, headers: { Accept: CONTENT_TYPE }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

function bookingHeldWith(field: object): SchemaCatalogue {
  const schema = BookingHeld.schema as unknown as { fields: object[] };
  return { BookingHeld: { subject: BookingHeld.subject, schema: { ...BookingHeld.schema, fields: [...schema.fields, field] } } };
}

describe('schema deploy: register the generated catalogue, evolve it under BACKWARD_TRANSITIVE', () => {
  let scope: SuiteScope;
  let baseUrl: string;
  let prefix: string;
  let first: RegisteredSubject[];
  const heldSubject = (): string => `${prefix}${BookingHeld.subject}`;

  beforeAll(async () => {
    scope = await createSuiteScope('schema-deploy');
    baseUrl = testEnvironment().schemaRegistry.url;
    prefix = `test.${scope.id}.`;
  });

  afterAll(async () => {
    // Soft, then permanent delete, as the Confluent API requires.
    for (const entry of Object.values(catalogue)) {
      const subject = encodeURIComponent(`${prefix}${entry.subject}`);
      await registry('DELETE', `${baseUrl}/subjects/${subject}`).catch(() => undefined);
      await registry('DELETE', `${baseUrl}/subjects/${subject}?permanent=true`).catch(() => undefined);
    }
    await scope?.dispose();
  });

  it('registers every event type with its own subject set to BACKWARD_TRANSITIVE', async () => {
    first = await registerSchemas(baseUrl, catalogue, { subjectPrefix: prefix });
    expect(first).toHaveLength(Object.keys(EVENT_TYPES).length);
    for (const registered of first) {
      expect(registered.subject).toBe(`${prefix}${EVENT_TYPES[registered.eventType as keyof typeof EVENT_TYPES].subject}`);
      expect(registered.version).toBe(1);
      expect(Number.isInteger(registered.id) && registered.id > 0).toBe(true);
    }
    const config = await registry('GET', `${baseUrl}/config/${encodeURIComponent(heldSubject())}`);
    expect(config).toEqual({ status: 200, json: { compatibilityLevel: 'BACKWARD_TRANSITIVE' } });
  });

  it('registering again is a no-op: same ids, same versions', async () => {
    await expect(registerSchemas(baseUrl, catalogue, { subjectPrefix: prefix })).resolves.toEqual(first);
  });

  it('decodes what the generated codec wrote through the registry client with AVRO_TYPE_OPTIONS (bigint, Date)', async () => {
    const held = first.find((r) => r.eventType === 'BookingHeld');
    const value: BookingHeld = {
      envelope: {
        eventId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
        eventType: 'BookingHeld',
        occurredAt: new Date('2030-01-02T03:04:05.678Z'),
        producer: 'booking',
        aggregateId: '3d1e28ba-2fa1-41d2-883f-0016d3cca427',
        aggregateVersion: 1n,
        correlationId: '3d1e28ba-2fa1-41d2-883f-0016d3cca427',
        causationId: null,
        actor: { type: 'API_KEY', id: 'key-1' },
        tenantId: 'merchant-1',
      },
      bookingId: '3d1e28ba-2fa1-41d2-883f-0016d3cca427',
      statusBefore: null,
      statusAfter: 'HELD',
      reason: 'REQUESTED',
      customerId: 'customer-1',
      customerEmail: null,
      slot: { resourceId: 'room-1', startsAt: new Date(0), endsAt: new Date(3_600_000) },
      price: { amountMinor: 2n ** 60n, currency: 'EUR' },
      holdExpiresAt: new Date(900_000),
    };
    const id = Buffer.alloc(4);
    id.writeInt32BE(held?.id ?? 0);
    const framed = Buffer.concat([Buffer.from([0]), id, BookingHeld.encode(value)]);
    const client = new SchemaRegistry({ host: baseUrl, retry: { retries: 2 } }, { [SchemaType.AVRO]: { ...AVRO_TYPE_OPTIONS } });
    await expect(client.decode(framed)).resolves.toEqual(value);
  });

  it('accepts an evolution that adds a field with a default: the check passes and it registers as version 2', async () => {
    const evolved = bookingHeldWith({ name: 'merchantNote', type: ['null', 'string'], default: null });
    await expect(checkCompatibility(baseUrl, evolved, { subjectPrefix: prefix })).resolves.toEqual([
      { eventType: 'BookingHeld', subject: heldSubject(), compatible: true, incompatibleVersions: [] },
    ]);
    const [registered] = await registerSchemas(baseUrl, evolved, { subjectPrefix: prefix });
    expect(registered).toMatchObject({ subject: heldSubject(), version: 2 });
    expect(registered?.id).not.toBe(first.find((r) => r.eventType === 'BookingHeld')?.id);
  });

  it('refuses a field without default, naming the subject, the versions and the reason; nothing is registered', async () => {
    const incompatible = bookingHeldWith({ name: 'merchantNote2', type: 'string' });
    const [report] = await checkCompatibility(baseUrl, incompatible, { subjectPrefix: prefix });
    expect(report).toMatchObject({ subject: heldSubject(), compatible: false });
    expect(report?.incompatibleVersions).toEqual([
      { version: 1, reason: expect.stringContaining('merchantNote2') },
      { version: 2, reason: expect.stringContaining('merchantNote2') },
    ]);

    const refused = registerSchemas(baseUrl, incompatible, { subjectPrefix: prefix });
    await expect(refused).rejects.toBeInstanceOf(SchemaCompatibilityError);
    await expect(refused).rejects.toThrow(new RegExp(`${heldSubject().replace(/\./g, '\\.')} version 1: .*merchantNote2`));
    const versions = await registry('GET', `${baseUrl}/subjects/${encodeURIComponent(heldSubject())}/versions`);
    expect(versions.json).toEqual([1, 2]);
  });
});
