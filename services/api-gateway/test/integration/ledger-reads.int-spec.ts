import { randomUUID } from 'node:crypto';
import { EntryPosted, type Posting } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { issueApiKey } from '../../src/auth/api-key-secret';
import { FLOW_TIMEOUT_MS, startGatewayInProcess, type GatewayInProcess } from './support';

// Ledger reads from the gateway's copy of the journal, built from EntryPosted on the suite's
// ledger.events.v1 (real PostgreSQL, Kafka, registry): balances at a point in time with the entry
// they reflect, an account's lines with running balances, reversals naming what they reverse.

jest.setTimeout(60_000);

const MERCHANT = 'merchant-ledger-a';
const OTHER = 'merchant-ledger-b';
const CLEARING = `PSP_CLEARING:${MERCHANT}:EUR`;
const ESCROW = `ESCROW:${MERCHANT}:EUR`;

describe('api-gateway ledger reads (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let key: string;
  let otherKey: string;

  async function keyFor(merchantId: string, role: string): Promise<string> {
    const issued = await issueApiKey();
    await gateway.pool.query('INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, scopes, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [randomUUID(), merchantId, issued.prefix, issued.secretHash, 'suite', role, [], 'suite']);
    return issued.key;
  }

  async function get(path: string, as = key): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${gateway.baseUrl}${path}`, { headers: { authorization: `Bearer ${as}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const move = (amountMinor: bigint, debit: string, credit: string): Posting[] => [
    { accountId: debit, side: 'DEBIT', amount: { amountMinor, currency: 'EUR' } },
    { accountId: credit, side: 'CREDIT', amount: { amountMinor, currency: 'EUR' } },
  ];

  function entry(entryType: string, postings: Posting[], occurredAt: Date, reversesEntryId: string | null = null): EntryPosted {
    const entryId = randomUUID();
    return {
      envelope: { eventId: randomUUID(), eventType: 'EntryPosted', occurredAt, producer: 'gateway-suite', aggregateId: entryId, aggregateVersion: 1n, correlationId: 'booking-x', causationId: null, actor: { type: 'SERVICE', id: 'ledger' }, tenantId: MERCHANT },
      entryId,
      entryType,
      reason: entryType,
      postings,
      reversesEntryId,
      paymentId: null,
      bookingId: null,
    };
  }

  beforeAll(async () => {
    gateway = await startGatewayInProcess({ suiteName: 'gateway-ledger' });
    for (const merchant of [MERCHANT, OTHER]) await gateway.pool.query("INSERT INTO merchants (id, name, default_currency) VALUES ($1, $1, 'EUR')", [merchant]);
    key = await keyFor(MERCHANT, 'finance');
    otherKey = await keyFor(OTHER, 'finance');
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('answers balances at a point in time from the journal, with the entry they reflect; lines carry running balances; a reversal names its entry', async () => {
    const t0 = new Date(Date.now() - 60_000);
    const capture = entry('CAPTURE_TO_ESCROW', move(10_000n, CLEARING, ESCROW), t0);
    const second = entry('CAPTURE_TO_ESCROW', move(2_500n, CLEARING, ESCROW), new Date(t0.getTime() + 10_000));
    const reversal = entry('REVERSAL', move(2_500n, ESCROW, CLEARING), new Date(t0.getTime() + 20_000), second.entryId);
    for (const posted of [capture, second, reversal]) await gateway.sender.send(EntryPosted, posted, posted.entryId);
    // A redelivery of the first entry under a new event id (a replay): the journal keeps one copy.
    await gateway.sender.send(EntryPosted, { ...capture, envelope: { ...capture.envelope, eventId: randomUUID() } }, capture.entryId);

    const now = await waitFor('three entries', async () => {
      const answer = await get('/v1/ledger/balances');
      return (answer.body['reflects'] as { entryCount: number }).entryCount === 3 ? answer : undefined;
    }, FLOW_TIMEOUT_MS);
    expect(now.body['balances']).toEqual([
      { accountId: ESCROW, currency: 'EUR', debits: { amountMinor: 2_500, currency: 'EUR' }, credits: { amountMinor: 12_500, currency: 'EUR' }, net: { amountMinor: -10_000, currency: 'EUR' } },
      { accountId: CLEARING, currency: 'EUR', debits: { amountMinor: 12_500, currency: 'EUR' }, credits: { amountMinor: 2_500, currency: 'EUR' }, net: { amountMinor: 10_000, currency: 'EUR' } },
    ]);
    expect(now.body['reflects']).toMatchObject({ lastEntryId: reversal.entryId, position: { topic: gateway.topicOf['ledger.events.v1'], offset: expect.stringMatching(/^\d+$/) } });

    const between = await get(`/v1/ledger/balances?at=${encodeURIComponent(new Date(t0.getTime() + 15_000).toISOString())}`);
    expect(between.body['balances']).toEqual(expect.arrayContaining([expect.objectContaining({ accountId: ESCROW, net: { amountMinor: -12_500, currency: 'EUR' } })]));
    expect(between.body['reflects']).toMatchObject({ entryCount: 2, lastEntryId: second.entryId });
    const before = await get(`/v1/ledger/balances?at=${encodeURIComponent(new Date(t0.getTime() - 1).toISOString())}`);
    expect(before.body).toMatchObject({ balances: [], reflects: { entryCount: 0, lastEntryId: null } });

    const first = await get(`/v1/ledger/accounts/${ESCROW}/entries?limit=2`);
    expect(first.status).toBe(200);
    const firstLines = first.body['data'] as { entryId: string; side: string; runningBalance: { amountMinor: number }; reversesEntryId: string | null }[];
    expect(firstLines.map((line) => [line.entryId, line.side, line.runningBalance.amountMinor])).toEqual([
      [capture.entryId, 'CREDIT', -10_000],
      [second.entryId, 'CREDIT', -12_500],
    ]);
    const rest = await get(`/v1/ledger/accounts/${ESCROW}/entries?limit=2&cursor=${String(first.body['nextCursor'])}`);
    expect(rest.body['data']).toEqual([expect.objectContaining({ entryId: reversal.entryId, side: 'DEBIT', entryType: 'REVERSAL', reversesEntryId: second.entryId, runningBalance: { amountMinor: -10_000, currency: 'EUR' } })]);
    expect(rest.body['nextCursor']).toBeNull();
  });

  it("shows another merchant nothing of this one's journal, and refuses bad queries with 400", async () => {
    expect((await get('/v1/ledger/balances', otherKey)).body).toMatchObject({ balances: [], reflects: { entryCount: 0 } });
    expect((await get(`/v1/ledger/accounts/${ESCROW}/entries`, otherKey)).body).toEqual({ data: [], nextCursor: null });
    for (const bad of ['/v1/ledger/balances?at=yesterday', '/v1/ledger/balances?colour=red', `/v1/ledger/accounts/${ESCROW}/entries?limit=1000`, `/v1/ledger/accounts/${ESCROW}/entries?cursor=bad`]) {
      expect({ bad, status: (await get(bad)).status }).toEqual({ bad, status: 400 });
    }
    const support = await keyFor(MERCHANT, 'support');
    expect((await get('/v1/ledger/balances', support)).status).toBe(403);
  });
});
