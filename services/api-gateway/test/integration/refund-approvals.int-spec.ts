import { randomUUID } from 'node:crypto';
import { PaymentCaptured, PaymentRefunded } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { ReadModelEvents } from './read-model-events';
import { startGatewayInProcess, type GatewayInProcess } from './support';
import { staffTokenMinter, type StaffTokenMinter } from './staff-tokens';

// Four eyes on large refunds over real HTTP on the gateway in-process (real PostgreSQL, Kafka and
// registry; payment's events sent by the test, the gateway's commands read back from the topic).
// Merchant threshold 5000 minor units; the payment captured 12500.

const MERCHANT = 'refund-4eyes';
const THRESHOLD = 5_000;
const WAIT_MS = 15_000;

describe('api-gateway refunds above a threshold take four eyes (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let staff: StaffTokenMinter;
  let alice: string;
  let bob: string;
  let ownerKey: string;
  const events = new ReadModelEvents(MERCHANT);

  async function call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const response = await fetch(`${gateway.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function capturedPayment(): Promise<{ paymentId: string; bookingId: string }> {
    const [paymentId, bookingId] = [randomUUID(), randomUUID()];
    await gateway.sender.send(PaymentCaptured, events.captured(paymentId, bookingId), paymentId);
    await waitFor('the capture in the read model', async () => ((await call('GET', `/v1/payments/${paymentId}`, alice)).body['status'] === 'CAPTURED' ? true : undefined), WAIT_MS);
    return { paymentId, bookingId };
  }

  const refund = (paymentId: string, token: string, amountMinor: number) => call('POST', `/v1/payments/${paymentId}/refunds`, token, { amount: { amountMinor, currency: 'EUR' }, reason: 'GOODWILL' });
  const commandsFor = (refundId: string) => gateway.seen.filter((record) => record.eventType === 'RefundPayment' && record.value['refundId'] === refundId);

  beforeAll(async () => {
    staff = await staffTokenMinter();
    gateway = await startGatewayInProcess({ suiteName: 'gateway-refund-approvals', settings: { staffTokens: staff.settings }, read: ['payment.commands.v1', 'security.events.v1'] });
    const admin = await staff.mint({ sub: 'root', roles: ['platform-admin'] });
    const created = await call('POST', '/v1/merchants', admin, { id: MERCHANT, name: 'Four eyes', defaultCurrency: 'EUR', refundApprovalThresholdMinor: THRESHOLD });
    expect(created).toMatchObject({ status: 201, body: { refundApprovalThresholdMinor: THRESHOLD } });
    alice = await staff.mint({ sub: 'alice', roles: ['finance'], merchant: MERCHANT });
    bob = await staff.mint({ sub: 'bob', roles: ['owner'], merchant: MERCHANT });
    const key = await call('POST', '/v1/api-keys', bob, { name: 'finance backend', role: 'finance' });
    expect(key.status).toBe(201);
    ownerKey = String(key.body['key']);
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
  });

  it('holds a staff refund above the threshold until another person approves it, then sends it as the approver\u2019s act; the requester cannot approve it', async () => {
    const { paymentId } = await capturedPayment();
    const asked = await refund(paymentId, alice, THRESHOLD + 1);
    expect(asked).toMatchObject({ status: 202, body: { status: 'AWAITING_APPROVAL', requestedBy: 'SERVICE:staff:alice', approvalId: expect.any(String) } });
    const refundId = String(asked.body['id']);
    const approvalId = String(asked.body['approvalId']);
    const approval = await call('GET', `/v1/approvals/${approvalId}`, bob);
    expect(approval.body).toMatchObject({ operation: 'refund_payment', status: 'PENDING', requestedBy: 'staff:alice', details: null, refund: { paymentId, refundId, amount: { amountMinor: THRESHOLD + 1, currency: 'EUR' } } });
    // It holds back what it would refund: a second request for the rest plus one is too much.
    expect(await refund(paymentId, ownerKey, 12_500 - THRESHOLD)).toMatchObject({ status: 422, body: { refundable: { amountMinor: 12_500 - THRESHOLD - 1 } } });

    expect(await call('POST', `/v1/approvals/${approvalId}/approve`, alice)).toMatchObject({ status: 403 });
    const approved = await call('POST', `/v1/approvals/${approvalId}/approve`, bob);
    expect(approved).toMatchObject({ status: 200, body: { approval: { status: 'APPROVED', decidedBy: 'staff:bob', resultId: refundId }, key: null, refund: { id: refundId, status: 'PENDING' } } });
    const [command] = await waitFor('the RefundPayment on the topic', async () => (commandsFor(refundId).length > 0 ? commandsFor(refundId) : undefined), WAIT_MS);
    expect(command?.value).toMatchObject({ paymentId, amount: { amountMinor: BigInt(THRESHOLD + 1), currency: 'EUR' }, envelope: { actor: { type: 'SERVICE', id: 'staff:bob' }, aggregateId: paymentId } });
    // The security events come on their own topic, each in its own time.
    const kinds = (): string[] => gateway.seen.filter((record) => record.value['approvalId'] === approvalId).map((record) => record.eventType);
    await waitFor('ApprovalRequested and ApprovalGranted on security.events.v1', async () => (kinds().includes('ApprovalRequested') && kinds().includes('ApprovalGranted') ? true : undefined), WAIT_MS);
  });

  it('sends at once what needs no second person: a staff refund up to the threshold, and any refund by an API key', async () => {
    const { paymentId } = await capturedPayment();
    const small = await refund(paymentId, alice, THRESHOLD);
    const byKey = await refund(paymentId, ownerKey, THRESHOLD + 2_000);
    expect([small.body['status'], byKey.body['status']]).toEqual(['PENDING', 'PENDING']);
    await waitFor('both commands on the topic', async () => (commandsFor(String(small.body['id'])).length + commandsFor(String(byKey.body['id'])).length === 2 ? true : undefined), WAIT_MS);
  });

  it('never sends a refused or expired request, and judges an approved one again: a refund it no longer fits is refused with what remains', async () => {
    const { paymentId, bookingId } = await capturedPayment();
    const refused = await refund(paymentId, alice, THRESHOLD + 1);
    expect(await call('POST', `/v1/approvals/${String(refused.body['approvalId'])}/refuse`, bob, { reason: 'not asked by the customer' })).toMatchObject({ status: 200, body: { status: 'REFUSED' } });
    expect((await call('GET', `/v1/payments/${paymentId}/refunds/${String(refused.body['id'])}`, alice)).body['status']).toBe('CANCELLED');

    const lapsing = await refund(paymentId, alice, THRESHOLD + 2);
    await gateway.pool.query("UPDATE approvals SET requested_at = now() - interval '2 days', expires_at = now() - interval '1 second' WHERE id = $1", [lapsing.body['approvalId']]);
    await gateway.pool.query("UPDATE refund_views SET approval_expires_at = now() - interval '1 second' WHERE refund_id = $1", [lapsing.body['id']]);
    expect((await call('GET', `/v1/payments/${paymentId}/refunds/${String(lapsing.body['id'])}`, alice)).body['status']).toBe('EXPIRED');
    expect(await call('POST', `/v1/approvals/${String(lapsing.body['approvalId'])}/approve`, bob)).toMatchObject({ status: 409, body: { currentStatus: 'EXPIRED' } });

    // While one waits, the PSP refunds most of the payment by itself (a dashboard refund): approval finds it too much now.
    const waiting = await refund(paymentId, alice, THRESHOLD + 3);
    const dashboard: PaymentRefunded = {
      envelope: events.envelope('PaymentRefunded', paymentId, 4n, bookingId, { type: 'SYSTEM', id: 'psp:stripe' }),
      paymentId, bookingId, statusBefore: 'CAPTURED', statusAfter: 'PARTIALLY_REFUNDED', reason: 'PSP_DASHBOARD', refundId: randomUUID(), pspPaymentIntentId: 'pi_suite', pspRefundId: 're_dash', pspIdempotencyKey: 'dashboard',
      refundedAmount: { amountMinor: 10_000n, currency: 'EUR' }, totalRefunded: { amountMinor: 10_000n, currency: 'EUR' },
    };
    await gateway.sender.send(PaymentRefunded, dashboard, paymentId);
    await waitFor('the dashboard refund in the read model', async () => ((await call('GET', `/v1/payments/${paymentId}`, alice)).body['status'] === 'PARTIALLY_REFUNDED' ? true : undefined), WAIT_MS);
    const approval = await call('POST', `/v1/approvals/${String(waiting.body['approvalId'])}/approve`, bob);
    expect(approval).toMatchObject({ status: 422, body: { type: '/problems/refund-exceeds-refundable', refundable: { amountMinor: 2_500, currency: 'EUR' } } });
    expect((await call('GET', `/v1/approvals/${String(waiting.body['approvalId'])}`, bob)).body['status']).toBe('PENDING');
    const listed = await call('GET', `/v1/payments/${paymentId}/refunds`, alice);
    expect((listed.body['data'] as { status: string }[]).map((row) => row.status)).toEqual(['CANCELLED', 'EXPIRED', 'AWAITING_APPROVAL', 'SUCCEEDED']);
    for (const id of [refused.body['id'], lapsing.body['id'], waiting.body['id']]) expect(commandsFor(String(id))).toEqual([]);
  });
});
