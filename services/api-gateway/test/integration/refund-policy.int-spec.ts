import { RefundPolicySet, type SetRefundPolicy } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { startGatewayInProcess, type GatewayInProcess } from './support';
import { staffTokenMinter } from './staff-tokens';

// The merchant's refund policy over real HTTP on the gateway in-process (real PostgreSQL, Kafka and
// registry): the command read back from booking.commands.v1, booking's answer sent by the test.

const MERCHANT = 'policy-merchant';
const WAIT_MS = 15_000;
const DAY_S = 86_400;

describe('api-gateway refund policy (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let finance: string;
  let support: string;
  let auditor: string;
  let owner: string;
  let financeKey: string;

  async function call(method: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const response = await fetch(`${gateway.baseUrl}/v1/refund-policy`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const commands = (): SetRefundPolicy[] => gateway.seen.filter((record) => record.eventType === 'SetRefundPolicy').map((record) => record.value as unknown as SetRefundPolicy);

  /** What booking answers to a SetRefundPolicy: its terms, at `version`, caused by the command. */
  function answerOf(command: SetRefundPolicy, version: bigint): RefundPolicySet {
    const envelope = { ...command.envelope, eventId: command.envelope.eventId, eventType: 'RefundPolicySet', producer: 'booking', aggregateVersion: version, causationId: command.envelope.eventId };
    return { envelope, tiers: command.tiers, otherwiseBp: command.otherwiseBp, previousTiers: null, previousOtherwiseBp: null, reason: command.reason };
  }

  beforeAll(async () => {
    const staff = await staffTokenMinter();
    gateway = await startGatewayInProcess({ suiteName: 'gateway-refund-policy', settings: { staffTokens: staff.settings }, read: ['booking.commands.v1'] });
    const admin = await staff.mint({ sub: 'root', roles: ['platform-admin'] });
    const created = await fetch(`${gateway.baseUrl}/v1/merchants`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: MERCHANT, name: 'Policies', defaultCurrency: 'EUR' }) });
    expect(created.status).toBe(201);
    finance = await staff.mint({ sub: 'fiona', roles: ['finance'], merchant: MERCHANT });
    support = await staff.mint({ sub: 'sam', roles: ['support'], merchant: MERCHANT });
    auditor = await staff.mint({ sub: 'ada', roles: ['auditor'], merchant: MERCHANT });
    owner = await staff.mint({ sub: 'olga', roles: ['owner'], merchant: MERCHANT });
    const key = await fetch(`${gateway.baseUrl}/v1/api-keys`, { method: 'POST', headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'finance backend', role: 'finance' }) });
    financeKey = String(((await key.json()) as Record<string, unknown>)['key']);
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
  });

  it("shows the platform's default until the merchant has terms; a change is pending until booking applies it, then holds; an older answer changes nothing", async () => {
    expect(await call('GET', auditor)).toMatchObject({ status: 200, body: { source: 'PLATFORM_DEFAULT', version: 0, tiers: [{ minNoticeSeconds: DAY_S, refundBp: 10_000 }, { minNoticeSeconds: 2 * 3_600, refundBp: 5_000 }], otherwiseBp: 0, pending: null } });
    const terms = { tiers: [{ minNoticeSeconds: 7 * DAY_S, refundBp: 10_000 }, { minNoticeSeconds: DAY_S, refundBp: 2_500 }], otherwiseBp: 0, reason: 'high season' };
    const asked = await call('PUT', financeKey, terms);
    expect(asked).toMatchObject({ status: 202, body: { source: 'PLATFORM_DEFAULT', pending: { status: 'SENT', approvalId: null, tiers: terms.tiers, otherwiseBp: 0, reason: 'high season', requestedBy: expect.stringMatching(/^API_KEY:/) } } });

    const command = await waitFor('SetRefundPolicy on booking.commands.v1', async () => commands()[0], WAIT_MS);
    expect(command).toMatchObject({ envelope: { aggregateId: MERCHANT, tenantId: MERCHANT }, tiers: [{ minNoticeMs: 604_800_000n, refundBp: 10_000 }, { minNoticeMs: 86_400_000n, refundBp: 2_500 }], otherwiseBp: 0 });
    await gateway.sender.send(RefundPolicySet, answerOf(command, 2n), MERCHANT);
    const applied = await waitFor('the terms applied', async () => {
      const answer = await call('GET', auditor);
      return answer.body['source'] === 'MERCHANT' ? answer.body : undefined;
    }, WAIT_MS);
    expect(applied).toMatchObject({ version: 2, tiers: terms.tiers, reason: 'high season', pending: null });

    // A replayed older version: still version 2.
    await gateway.sender.send(RefundPolicySet, { ...answerOf(command, 1n), envelope: { ...answerOf(command, 1n).envelope, eventId: crypto.randomUUID() }, otherwiseBp: 9_999 }, MERCHANT);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 1_000));
    expect((await call('GET', auditor)).body).toMatchObject({ version: 2, otherwiseBp: 0 });
  });

  it('refuses terms that break booking\u2019s rule, naming the field, and lets only policies:write set them', async () => {
    const unordered = await call('PUT', finance, { tiers: [{ minNoticeSeconds: 3_600, refundBp: 5_000 }, { minNoticeSeconds: DAY_S, refundBp: 10_000 }], otherwiseBp: 0 });
    expect(unordered).toMatchObject({ status: 400, body: { type: '/problems/validation-failed', errors: [{ pointer: '/tiers', detail: expect.stringContaining('largest first') }] } });
    expect(await call('PUT', finance, { tiers: [{ minNoticeSeconds: -1, refundBp: 20_000 }], otherwiseBp: 0 })).toMatchObject({ status: 400 });
    expect((await call('PUT', finance, { tiers: [], otherwiseBp: 10_000, extra: true })).status).toBe(400);
    expect((await call('PUT', support, { tiers: [], otherwiseBp: 10_000 })).status).toBe(403);
    expect((await call('GET', support)).status).toBe(403);
  });

  it("holds a staff user's change for another person: nothing is sent until approved, then it goes as the approver's act; a refused or replaced one never applies", async () => {
    const before = commands().length;
    const terms = { tiers: [{ minNoticeSeconds: 2 * DAY_S, refundBp: 8_000 }], otherwiseBp: 1_000, reason: 'goodwill season' };
    const asked = await call('PUT', finance, terms);
    expect(asked).toMatchObject({ status: 202, body: { pending: { status: 'AWAITING_APPROVAL', approvalId: expect.any(String), requestedBy: 'SERVICE:staff:fiona' } } });
    const approvalId = String((asked.body['pending'] as Record<string, unknown>)['approvalId']);
    const approvalOf = (id: string, token: string, action = ''): Promise<Response> => fetch(`${gateway.baseUrl}/v1/approvals/${id}${action}`, { method: action === '' ? 'GET' : 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(action === '' ? {} : { body: '{}' }) });
    const shown = (await (await approvalOf(approvalId, owner)).json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ operation: 'set_refund_policy', status: 'PENDING', policy: { tiers: terms.tiers, otherwiseBp: 1_000, reason: 'goodwill season' }, details: null, refund: null });
    expect((await approvalOf(approvalId, finance, '/approve')).status).toBe(403);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 500));
    expect(commands().length).toBe(before);

    expect((await approvalOf(approvalId, owner, '/approve')).status).toBe(200);
    const sent = await waitFor('the approved change on booking.commands.v1', async () => commands().slice(before)[0], WAIT_MS);
    expect(sent).toMatchObject({ envelope: { actor: { type: 'SERVICE', id: 'staff:olga' } }, tiers: [{ minNoticeMs: 172_800_000n, refundBp: 8_000 }], otherwiseBp: 1_000 });
    expect((await call('GET', auditor)).body['pending']).toMatchObject({ status: 'SENT', approvalId: null, requestedBy: 'SERVICE:staff:fiona' });

    // Refused: the pending change goes away. Replaced by a later change: its approval is refused with 409.
    const refused = await call('PUT', finance, { ...terms, reason: 'second try' });
    const refusedId = String((refused.body['pending'] as Record<string, unknown>)['approvalId']);
    expect((await approvalOf(refusedId, owner, '/refuse')).status).toBe(200);
    expect((await call('GET', auditor)).body['pending']).toBeNull();
    const replaced = await call('PUT', finance, { ...terms, reason: 'third try' });
    await call('PUT', finance, { ...terms, reason: 'fourth try' });
    const replacedAnswer = await approvalOf(String((replaced.body['pending'] as Record<string, unknown>)['approvalId']), owner, '/approve');
    expect({ status: replacedAnswer.status, body: await replacedAnswer.json() }).toMatchObject({ status: 409, body: { currentStatus: 'SUPERSEDED' } });
    expect(commands().length).toBe(before + 1);
  });
});
