import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { WITHHELD } from '@txn/audit-domain';
import { ApiKeyCreated, BookingCancelled, BookingConfirmed, BookingHeld, type Envelope } from '@txn/contracts';
import { startSuiteService, suiteResources, suiteSender, type SuiteSender } from '@txn/service-harness';
import { Cleanups, testEnvironment, waitFor, type SuiteDatabase } from '@txn/testing';
import { AUDITED_TOPICS } from '../../src/application/audited-events';
import { readLatestCheckpoints } from '../../src/kafka/checkpoint-reader';
import { auditService } from '../../src/service';
import { verifyTrail } from '../../src/verify-trail';

// The audit service in-process on the real PostgreSQL, Kafka and registry: events of the audited
// topics in, one hash-chained record per state change, checkpoints on the suite's
// audit.checkpoints.v1; then the database refuses changes, and each kind of tampering by someone
// who can switch the triggers off (the owner) is named by verification.

const STEP_TIMEOUT_MS = 20_000;
const EMAIL = 'ada.canary@example.com';

function envelope(eventType: string, tenantId: string, aggregateId: string, version: bigint, actor: Envelope['actor'] = { type: 'API_KEY', id: 'key_audit_test' }): Envelope {
  return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'booking', aggregateId, aggregateVersion: version, correlationId: aggregateId, causationId: null, actor, tenantId };
}

const slot = { resourceId: 'room-1', startsAt: new Date('2027-01-10T10:00:00.000Z'), endsAt: new Date('2027-01-10T11:00:00.000Z') };
const price = { amountMinor: 12_000n, currency: 'EUR' };

function held(tenantId: string, bookingId: string): BookingHeld {
  return { envelope: envelope('BookingHeld', tenantId, bookingId, 1n), bookingId, statusBefore: null, statusAfter: 'HELD', reason: 'REQUESTED', customerId: 'customer-1', customerEmail: EMAIL, slot, price, holdExpiresAt: new Date(Date.now() + 600_000) };
}

function confirmed(tenantId: string, bookingId: string): BookingConfirmed {
  return { envelope: envelope('BookingConfirmed', tenantId, bookingId, 2n, { type: 'SERVICE', id: 'booking' }), bookingId, statusBefore: 'HELD', statusAfter: 'CONFIRMED', reason: 'PAYMENT_AUTHORIZED', paymentId: randomUUID(), authorizedAmount: price };
}

function cancelled(tenantId: string, bookingId: string): BookingCancelled {
  return { envelope: envelope('BookingCancelled', tenantId, bookingId, 3n), bookingId, statusBefore: 'CONFIRMED', statusAfter: 'CANCELLED', reason: 'CUSTOMER_REQUEST', paymentId: null, refundAmount: null, slot };
}

describe('audit trail (in-process, real PostgreSQL, Kafka, registry)', () => {
  const cleanups = new Cleanups();
  let database: SuiteDatabase;
  let owner: Pool;
  let runtime: Pool;
  let sender: SuiteSender;
  let topicOf: Record<string, string>;

  beforeAll(async () => {
    const resources = await suiteResources('audit', [...AUDITED_TOPICS, 'audit.checkpoints.v1'], 3, cleanups);
    topicOf = resources.topicOf;
    database = await resources.scope.database('audit');
    await startSuiteService({
      service: 'audit',
      database,
      secret: resources.secret,
      readSettings: () => ({}),
      definition: () => auditService({ checkpointInterval_ms: 200, checkpointBatchSize: 500 }),
      topicOverrides: topicOf,
      consumerGroup: resources.scope.groupId('audit'),
      cleanups,
    });
    owner = new Pool({ ...database, max: 2 });
    runtime = new Pool({ ...database, user: database.runtime.user, password: database.runtime.password, max: 2 });
    cleanups.push(() => owner.end());
    cleanups.push(() => runtime.end());
    sender = await suiteSender('audit-test', topicOf, cleanups);
  }, 90_000);

  afterAll(() => cleanups.runAll());

  const recordsOf = async (chainId: string): Promise<Record<string, unknown>[]> =>
    (await owner.query('SELECT seq, action, actor_type, actor_id, aggregate_type, aggregate_id, aggregate_version, status_before, status_after, reason, changes, trace_id FROM audit_records WHERE chain_id = $1 ORDER BY seq', [chainId])).rows;

  async function saga(tenantId: string): Promise<string> {
    const bookingId = randomUUID();
    await sender.send(BookingHeld, held(tenantId, bookingId), bookingId);
    await sender.send(BookingConfirmed, confirmed(tenantId, bookingId), bookingId);
    await sender.send(BookingCancelled, cancelled(tenantId, bookingId), bookingId);
    return bookingId;
  }

  async function recorded(chainId: string, count: number): Promise<void> {
    await waitFor(`${count} audit records of ${chainId}`, async () => ((await recordsOf(chainId)).length >= count ? true : undefined), STEP_TIMEOUT_MS);
  }

  const checkpointTopic = (): string => topicOf['audit.checkpoints.v1'] ?? '';
  const checkpoints = () => {
    const environment = testEnvironment();
    return readLatestCheckpoints({ brokers: environment.kafka.brokers, topic: checkpointTopic(), codec: sender.codec, timeout_ms: 30_000 });
  };

  async function checkpointed(chainId: string, seq: number): Promise<void> {
    await waitFor(`a checkpoint of ${chainId} at ${seq}`, async () => ((await checkpoints()).get(chainId)?.seq === seq ? true : undefined), STEP_TIMEOUT_MS);
  }

  it('records each state change once, in its tenant’s chain, with who, what, before and after — personal data withheld', async () => {
    const tenant = `merchant-${randomUUID().slice(0, 8)}`;
    const bookingId = randomUUID();
    const first = held(tenant, bookingId);
    await sender.send(BookingHeld, first, bookingId);
    await sender.send(BookingHeld, first, bookingId); // redelivered: still one record
    await sender.send(BookingConfirmed, confirmed(tenant, bookingId), bookingId);
    const keyEvent: ApiKeyCreated = { envelope: { ...envelope('ApiKeyCreated', tenant, tenant, 1n, { type: 'USER', id: 'staff:ops-1' }), producer: 'api-gateway' }, keyId: randomUUID(), merchantId: tenant, prefix: 'abc123', name: 'ci', role: 'developer', scopes: [], expiresAt: null, createdBy: 'staff:ops-1' };
    await sender.send(ApiKeyCreated, keyEvent, tenant);
    await recorded(tenant, 3);

    const records = await recordsOf(tenant);
    expect(records.map((record) => record['action']).sort()).toEqual(['ApiKeyCreated', 'BookingConfirmed', 'BookingHeld']);
    expect(records.map((record) => Number(record['seq']))).toEqual([1, 2, 3]);
    const byAction = new Map(records.map((record) => [record['action'], record]));
    expect(byAction.get('BookingHeld')).toMatchObject({ actor_type: 'API_KEY', actor_id: 'key_audit_test', aggregate_type: 'booking', aggregate_id: bookingId, aggregate_version: '1', status_before: null, status_after: 'HELD', reason: 'REQUESTED' });
    expect(byAction.get('BookingHeld')?.['changes']).toMatchObject({ customerEmail: WITHHELD, price: { amountMinor: '12000', currency: 'EUR' } });
    expect(byAction.get('BookingConfirmed')).toMatchObject({ actor_type: 'SERVICE', status_before: 'HELD', status_after: 'CONFIRMED', reason: 'PAYMENT_AUTHORIZED' });
    expect(byAction.get('ApiKeyCreated')).toMatchObject({ actor_type: 'USER', actor_id: 'staff:ops-1', aggregate_type: 'api-key', status_before: null, status_after: 'ACTIVE' });
    const stored = await owner.query<{ text: string }>('SELECT string_agg(t::text, \'\') AS text FROM audit_records t');
    expect(stored.rows[0]?.text).not.toContain(EMAIL);

    await checkpointed(tenant, 3);
    const report = await verifyTrail(owner, await checkpoints(), tenant);
    expect(report.verdicts).toEqual([expect.objectContaining({ ok: true, chainId: tenant, count: 3, checkpointSeq: 3 })]);
  });

  it('is append-only in the database: the service’s role may not change or remove a record, and the triggers refuse even the owner', async () => {
    const tenant = `merchant-${randomUUID().slice(0, 8)}`;
    await saga(tenant);
    await recorded(tenant, 3);
    await expect(runtime.query("UPDATE audit_records SET reason = 'x' WHERE chain_id = $1", [tenant])).rejects.toThrow(/permission denied/);
    await expect(runtime.query('DELETE FROM audit_records WHERE chain_id = $1', [tenant])).rejects.toThrow(/permission denied/);
    await expect(runtime.query('DELETE FROM audit_checkpoints')).rejects.toThrow(/permission denied/);
    await expect(owner.query("UPDATE audit_records SET reason = 'x' WHERE chain_id = $1", [tenant])).rejects.toThrow(/append-only: UPDATE on audit_records refused/);
    await expect(owner.query('DELETE FROM audit_records WHERE chain_id = $1', [tenant])).rejects.toThrow(/append-only: DELETE on audit_records refused/);
    await expect(owner.query('TRUNCATE audit_records')).rejects.toThrow(/append-only: TRUNCATE on audit_records refused/);
    await expect(owner.query('DELETE FROM audit_checkpoints')).rejects.toThrow(/append-only: DELETE on audit_checkpoints refused/);
    expect(await recordsOf(tenant)).toHaveLength(3);
  });

  /** What someone who owns the schema can still do: switch the trigger off for one transaction. */
  async function tamper(statements: readonly string[], params: readonly unknown[]): Promise<void> {
    const client = await owner.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only');
      for (const statement of statements) await client.query(statement, [...params]);
      await client.query('ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only');
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async function brokenLinkOf(tenant: string): Promise<unknown> {
    const [verdict] = (await verifyTrail(owner, await checkpoints(), tenant)).verdicts;
    return verdict?.ok === false ? { kind: verdict.broken.kind, seq: verdict.broken.seq } : verdict;
  }

  it.each([
    ['an edited record', ["UPDATE audit_records SET changes = jsonb_set(changes, '{reason}', '\"edited\"') WHERE chain_id = $1 AND seq = 2"], { kind: 'EDITED', seq: 2 }],
    ['a deleted record', ['DELETE FROM audit_records WHERE chain_id = $1 AND seq = 2'], { kind: 'MISSING', seq: 2 }],
    ['two records that swapped places', ['UPDATE audit_records SET seq = 100 WHERE chain_id = $1 AND seq = 2', 'UPDATE audit_records SET seq = 2 WHERE chain_id = $1 AND seq = 3', 'UPDATE audit_records SET seq = 3 WHERE chain_id = $1 AND seq = 100'], { kind: 'REORDERED', seq: 2 }],
    ['a deleted tail (seen only by the checkpoint outside the database)', ['DELETE FROM audit_records WHERE chain_id = $1 AND seq = 3'], { kind: 'TRUNCATED', seq: 3 }],
  ])('names %s as the first broken link', async (_name, statements, expected) => {
    const tenant = `merchant-${randomUUID().slice(0, 8)}`;
    await saga(tenant);
    await recorded(tenant, 3);
    await checkpointed(tenant, 3);
    expect(await brokenLinkOf(tenant)).toMatchObject({ ok: true });
    await tamper(statements, [tenant]);
    expect(await brokenLinkOf(tenant)).toEqual(expected);
  });

  it('names a copy of a record inserted into the middle of a chain', async () => {
    const tenant = `merchant-${randomUUID().slice(0, 8)}`;
    await saga(tenant);
    await recorded(tenant, 3);
    const client = await owner.connect();
    try {
      await client.query('BEGIN');
      // The forger drops the one-record-per-place rule and copies record 2 under a new event id.
      await client.query('ALTER TABLE audit_records DROP CONSTRAINT audit_records_one_per_place');
      await client.query(
        `INSERT INTO audit_records (chain_id, seq, prev_hash, hash, event_id, action, producer, source_topic, source_partition, source_offset, occurred_at, recorded_at, tenant_id, actor_type, actor_id, aggregate_type, aggregate_id, aggregate_version, status_before, status_after, reason, changes, correlation_id, causation_id, trace_id)
         SELECT chain_id, seq, prev_hash, hash, $2, action, producer, source_topic, source_partition, source_offset, occurred_at, recorded_at, tenant_id, actor_type, actor_id, aggregate_type, aggregate_id, aggregate_version, status_before, status_after, reason, changes, correlation_id, causation_id, trace_id
           FROM audit_records WHERE chain_id = $1 AND seq = 2`,
        [tenant, randomUUID()],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await brokenLinkOf(tenant)).toEqual({ kind: 'INSERTED', seq: 2 });
  });
});
