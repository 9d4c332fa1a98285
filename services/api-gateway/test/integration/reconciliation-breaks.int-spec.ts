import { randomUUID } from 'node:crypto';
import { ReconciliationBreakRaised, ReconciliationBreakResolved, type Envelope } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { issueApiKey } from '../../src/auth/api-key-secret';
import { FLOW_TIMEOUT_MS, startGatewayInProcess, type GatewayInProcess } from './support';

// Reconciliation's breaks for the finance role, from payment's break events on the suite's
// payment.events.v1 (real PostgreSQL, Kafka, registry): raised, resolved, in the caller's merchant only.

jest.setTimeout(60_000);

const MERCHANT = 'merchant-recon-a';
const OTHER = 'merchant-recon-b';

describe('api-gateway reconciliation breaks (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;

  async function keyFor(merchantId: string, role: string): Promise<string> {
    const issued = await issueApiKey();
    await gateway.pool.query('INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, scopes, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [randomUUID(), merchantId, issued.prefix, issued.secretHash, 'suite', role, [], 'suite']);
    return issued.key;
  }

  async function get(path: string, as: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${gateway.baseUrl}${path}`, { headers: { authorization: `Bearer ${as}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  function envelope(eventType: string, breakId: string, version: bigint, tenantId: string, occurredAt = new Date()): Envelope {
    return { eventId: randomUUID(), eventType, occurredAt, producer: 'payment', aggregateId: breakId, aggregateVersion: version, correlationId: breakId, causationId: null, actor: { type: 'SERVICE', id: 'payment' }, tenantId };
  }

  function raised(tenantId: string, kind: string, leg: string, at: Date): ReconciliationBreakRaised {
    const breakId = randomUUID();
    return {
      envelope: envelope('ReconciliationBreakRaised', breakId, 1n, tenantId, at),
      breakId,
      statusBefore: null,
      statusAfter: 'OPEN',
      kind,
      leg,
      paymentId: randomUUID(),
      pspObjectId: 'pi_suite',
      pspEventId: null,
      detail: `${kind} found by the suite`,
      explanation: 'the ledger raised CAPTURE_UNPLACED (HOLD_NOT_FOUND) on PaymentCaptured: no hold',
      evidence: JSON.stringify({ psp: [{ status: 'succeeded' }], ledger: { suspenseMinor: '5000' } }),
    };
  }

  beforeAll(async () => {
    gateway = await startGatewayInProcess({ suiteName: 'gateway-recon' });
    for (const merchant of [MERCHANT, OTHER]) await gateway.pool.query("INSERT INTO merchants (id, name, default_currency) VALUES ($1, $1, 'EUR')", [merchant]);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('lists the merchant\'s breaks with their evidence, oldest first, follows a resolution, filters, pages, and shows another merchant nothing', async () => {
    const finance = await keyFor(MERCHANT, 'finance');
    const otherFinance = await keyFor(OTHER, 'finance');
    const t0 = Date.now() - 60_000;
    const suspense = raised(MERCHANT, 'IN_SUSPENSE', 'PAYMENTS_LEDGER', new Date(t0));
    const saga = raised(MERCHANT, 'MISSING_IN_LEDGER', 'SAGA', new Date(t0 + 1_000));
    const elsewhere = raised(OTHER, 'DUPLICATE', 'PSP_PAYMENTS', new Date(t0));
    for (const event of [suspense, saga, elsewhere]) await gateway.sender.send(ReconciliationBreakRaised, event, event.breakId);
    // A redelivery under the same break changes nothing.
    await gateway.sender.send(ReconciliationBreakRaised, { ...suspense, envelope: { ...suspense.envelope, eventId: randomUUID() } }, suspense.breakId);

    const open = await waitFor('two open breaks', async () => {
      const answer = await get('/v1/reconciliation/breaks?status=OPEN', finance);
      return (answer.body['data'] as unknown[] | undefined)?.length === 2 ? answer : undefined;
    }, FLOW_TIMEOUT_MS);
    expect(open.status).toBe(200);
    expect(open.body['data']).toEqual([
      expect.objectContaining({ breakId: suspense.breakId, kind: 'IN_SUSPENSE', leg: 'PAYMENTS_LEDGER', status: 'OPEN', explanation: suspense.explanation, evidence: { psp: [{ status: 'succeeded' }], ledger: { suspenseMinor: '5000' } }, resolvedAt: null }),
      expect.objectContaining({ breakId: saga.breakId, kind: 'MISSING_IN_LEDGER', leg: 'SAGA' }),
    ]);
    expect(open.body['lastAppliedAt']).toEqual(expect.any(String));

    const resolution = 'reconciliation run 1 found the PSP, the payment, the ledger and the booking agreeing on it';
    const resolved: ReconciliationBreakResolved = { envelope: envelope('ReconciliationBreakResolved', saga.breakId, 2n, MERCHANT), breakId: saga.breakId, statusBefore: 'OPEN', statusAfter: 'RESOLVED', kind: saga.kind, leg: saga.leg, paymentId: saga.paymentId, resolution };
    await gateway.sender.send(ReconciliationBreakResolved, resolved, saga.breakId);
    const done = await waitFor('the resolution', async () => {
      const answer = await get('/v1/reconciliation/breaks?status=RESOLVED', finance);
      return (answer.body['data'] as unknown[] | undefined)?.length === 1 ? answer : undefined;
    }, FLOW_TIMEOUT_MS);
    expect(done.body['data']).toEqual([expect.objectContaining({ breakId: saga.breakId, status: 'RESOLVED', resolution, resolvedAt: expect.any(String) })]);

    // Filters and pages.
    expect((await get('/v1/reconciliation/breaks?kind=IN_SUSPENSE', finance)).body['data']).toEqual([expect.objectContaining({ breakId: suspense.breakId })]);
    const first = await get('/v1/reconciliation/breaks?limit=1', finance);
    expect(first.body['data']).toEqual([expect.objectContaining({ breakId: suspense.breakId })]);
    const second = await get(`/v1/reconciliation/breaks?limit=1&cursor=${String(first.body['nextCursor'])}`, finance);
    expect(second.body).toMatchObject({ data: [expect.objectContaining({ breakId: saga.breakId })], nextCursor: null });

    // Bad input is a problem, never a 500; the other merchant sees only its own break.
    expect((await get('/v1/reconciliation/breaks?leg=SIDEWAYS', finance)).status).toBe(400);
    expect((await get('/v1/reconciliation/breaks?cursor=eyJhdCI6IjIwMjYtMDEtMDFUMDA6MDA6MDBaIiwiaWQiOiJ4In0', finance)).status).toBe(400);
    const theirs = await waitFor('the other merchant\'s break', async () => {
      const answer = await get('/v1/reconciliation/breaks', otherFinance);
      return (answer.body['data'] as unknown[] | undefined)?.length === 1 ? answer : undefined;
    }, FLOW_TIMEOUT_MS);
    expect(theirs.body['data']).toEqual([expect.objectContaining({ breakId: elsewhere.breakId })]);
    // A developer key may not read them (the RBAC matrix walks every role).
    expect((await get('/v1/reconciliation/breaks', await keyFor(MERCHANT, 'developer'))).status).toBe(403);
  });
});
