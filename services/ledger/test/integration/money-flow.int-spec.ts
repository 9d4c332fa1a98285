import { randomUUID } from 'node:crypto';
import { type SuiteScope } from '@txn/testing';
import {
  onBookingCompleted,
  onPaymentAuthorized,
  onPaymentCaptured,
  onPaymentRefunded,
  onPaymentVoided,
  postEntry,
  type LedgerEventDraft,
  type LedgerHandling,
} from './handlers';
import { verifyLedger } from '../../src';
import { LedgerDatabase, ledgerSuite, PaymentStory } from './support';

const types = (handling: LedgerHandling) => handling.events.map((event) => event.eventType);

type PayloadOf<T extends LedgerEventDraft['eventType']> = Extract<LedgerEventDraft, { eventType: T }>['payload'];

function draftOf<T extends LedgerEventDraft['eventType']>(handling: LedgerHandling, type: T): PayloadOf<T> {
  const found = handling.events.find((event) => event.eventType === type);
  if (found === undefined) throw new Error(`no ${type} in ${types(handling).join(', ')}`);
  return found.payload as unknown as PayloadOf<T>;
}

describe('ledger money flow: the saga steps persisted, idempotent, verified', () => {
  let scope: SuiteScope;
  let db: LedgerDatabase;

  beforeAll(async () => {
    scope = await ledgerSuite('ledger-flow');
    db = await LedgerDatabase.create(scope, 'flow');
  });

  afterAll(async () => {
    await db?.dispose();
    await scope?.dispose();
  });

  async function expectVerifyClean(): Promise<void> {
    // Pages of 2 walk the keyset pagination; the default page size checks the same in one go.
    for (const pageSize of [2, 500]) {
      const report = await verifyLedger(db.pool, { pageSize });
      expect(report.findings).toEqual([]);
      expect(report.domainVerify).toBe('ran');
      for (const currency of report.currencies) expect(currency).toMatchObject({ postedNetMinor: 0n, pendingNetMinor: 0n });
    }
  }

  it('authorize → capture (fee split) → release leaves every account right, verify clean and each currency at zero', async () => {
    const story = new PaymentStory();
    const authorized = await db.inTx((tx) => onPaymentAuthorized(tx, story.authorized(12_000n)));
    expect(authorized.outcome).toBe('applied');
    expect(types(authorized)).toEqual(['HoldPlaced']);
    expect(draftOf(authorized, 'HoldPlaced')).toMatchObject({ holdId: story.paymentId, statusAfter: 'PENDING', amount: { amountMinor: 12_000n, currency: 'EUR' } });
    expect(await db.balance(story.account('PSP_CLEARING'))).toEqual({ dp: 0n, cp: 0n, dq: 12_000n, cq: 0n });
    expect(await db.balance(story.account('CUSTOMER_FUNDS_HELD'))).toEqual({ dp: 0n, cp: 0n, dq: 0n, cq: 12_000n });

    // Captured less than authorized: the rest of the hold is released. 2.5 % of 101.01 = 2.52525 → 2.53.
    const captured = await db.inTx((tx) => onPaymentCaptured(tx, story.captured(10_101n)));
    expect(captured.outcome).toBe('applied');
    expect(types(captured)).toEqual(['HoldPosted', 'EntryPosted']);
    expect(draftOf(captured, 'HoldPosted')).toMatchObject({ postedAmount: { amountMinor: 10_101n }, heldAmount: { amountMinor: 12_000n } });
    expect(draftOf(captured, 'EntryPosted').postings).toEqual([
      { accountId: story.account('PSP_CLEARING'), side: 'DEBIT', amount: { amountMinor: 10_101n, currency: 'EUR' } },
      { accountId: story.account('ESCROW'), side: 'CREDIT', amount: { amountMinor: 9_848n, currency: 'EUR' } },
      { accountId: story.account('PLATFORM_FEE_ESCROW'), side: 'CREDIT', amount: { amountMinor: 253n, currency: 'EUR' } },
    ]);
    expect(await db.balance(story.account('CUSTOMER_FUNDS_HELD'))).toEqual({ dp: 0n, cp: 0n, dq: 0n, cq: 0n });

    const released = await db.inTx((tx) => onBookingCompleted(tx, story.completed()));
    expect(types(released)).toEqual(['EscrowReleased', 'EntryPosted']);
    expect(draftOf(released, 'EscrowReleased')).toMatchObject({
      escrowId: story.paymentId,
      statusBefore: 'FUNDED',
      statusAfter: 'RELEASED',
      releasedAmount: { amountMinor: 10_101n },
      merchantAmount: { amountMinor: 9_848n },
      platformFee: { amountMinor: 253n },
    });
    expect(await db.balance(story.account('PSP_CLEARING'))).toEqual({ dp: 10_101n, cp: 0n, dq: 0n, cq: 0n });
    expect(await db.balance(story.account('ESCROW'))).toEqual({ dp: 9_848n, cp: 9_848n, dq: 0n, cq: 0n });
    expect(await db.balance(story.account('PLATFORM_FEE_ESCROW'))).toEqual({ dp: 253n, cp: 253n, dq: 0n, cq: 0n });
    expect(await db.balance(story.account('MERCHANT_PAYABLE'))).toEqual({ dp: 0n, cp: 9_848n, dq: 0n, cq: 0n });
    expect(await db.balance(story.account('PLATFORM_FEE_REVENUE'))).toEqual({ dp: 0n, cp: 253n, dq: 0n, cq: 0n });
    await expectVerifyClean();
  });

  it('a redelivered event posts nothing twice; the same entry id with other content is refused', async () => {
    const story = new PaymentStory();
    const authorize = story.authorized(8_000n);
    const capture = story.captured(8_000n);
    const refund = story.refunded(1_000n, 1);
    const complete = story.completed();
    const steps: [string, () => Promise<LedgerHandling>][] = [
      ['authorize', () => db.inTx((tx) => onPaymentAuthorized(tx, authorize))],
      ['capture', () => db.inTx((tx) => onPaymentCaptured(tx, capture))],
      ['refund', () => db.inTx((tx) => onPaymentRefunded(tx, refund))],
      ['complete', () => db.inTx((tx) => onBookingCompleted(tx, complete))],
    ];
    for (const [name, step] of steps) {
      expect({ name, outcome: (await step()).outcome }).toEqual({ name, outcome: 'applied' });
      const before = await db.snapshot();
      // Every earlier step delivered again, too: nothing moves.
      for (const [again, replay] of steps.slice(0, steps.findIndex(([n]) => n === name) + 1)) {
        const handling = await replay();
        expect({ again, outcome: handling.outcome, events: handling.events }).toEqual({ again, outcome: 'duplicate', events: [] });
      }
      expect(await db.snapshot()).toBe(before);
    }

    const entryId = randomUUID();
    const line = (accountId: string, side: 'DEBIT' | 'CREDIT', amountMinor: bigint) => ({ accountId, side, amount: { amountMinor, currency: 'EUR' as const } });
    const entry = {
      entryId,
      entryType: 'ADJUSTMENT' as const,
      reason: 'test',
      lines: [line(story.account('PSP_CLEARING'), 'DEBIT', 5n), line(story.account('MERCHANT_PAYABLE'), 'CREDIT', 5n)],
      reversesEntryId: null,
      paymentId: null,
      bookingId: null,
    };
    expect((await db.inTx((tx) => postEntry(tx, entry))).outcome).toBe('applied');
    expect((await db.inTx((tx) => postEntry(tx, entry))).outcome).toBe('duplicate');
    const other = { ...entry, lines: [line(story.account('PSP_CLEARING'), 'DEBIT', 6n), line(story.account('MERCHANT_PAYABLE'), 'CREDIT', 6n)] };
    expect(await db.inTx((tx) => postEntry(tx, other))).toMatchObject({ outcome: 'rejected', refusal: { rejectionCode: 'DUPLICATE_CONFLICT' } });
    await expectVerifyClean();
  });

  it('a completion seen before the capture is applied by the capture (state, not arrival order)', async () => {
    const story = new PaymentStory();
    await db.inTx((tx) => onPaymentAuthorized(tx, story.authorized(4_000n)));
    const complete = story.completed();
    const early = await db.inTx((tx) => onBookingCompleted(tx, complete));
    expect(early).toEqual({ outcome: 'applied', events: [] });
    const captured = await db.inTx((tx) => onPaymentCaptured(tx, story.captured(4_000n)));
    expect(types(captured)).toEqual(['HoldPosted', 'EntryPosted', 'EscrowReleased', 'EntryPosted']);
    expect(await db.balance(story.account('MERCHANT_PAYABLE'))).toEqual({ dp: 0n, cp: 3_900n, dq: 0n, cq: 0n });
    expect((await db.inTx((tx) => onBookingCompleted(tx, complete))).outcome).toBe('duplicate');
    await expectVerifyClean();
  });

  it('void releases the hold; a void after the authorization lapsed expires it; a second void is stale', async () => {
    const story = new PaymentStory();
    await db.inTx((tx) => onPaymentAuthorized(tx, story.authorized(3_000n)));
    const voided = await db.inTx((tx) => onPaymentVoided(tx, story.voided(3_000n)));
    expect(types(voided)).toEqual(['HoldVoided']);
    expect(draftOf(voided, 'HoldVoided')).toMatchObject({ reason: 'BOOKING_CANCELLED', voidedAmount: { amountMinor: 3_000n } });
    expect(await db.balance(story.account('PSP_CLEARING'))).toEqual({ dp: 0n, cp: 0n, dq: 0n, cq: 0n });
    expect((await db.inTx((tx) => onPaymentVoided(tx, story.voided(3_000n)))).outcome).toBe('stale');

    const lapsing = new PaymentStory();
    await db.inTx((tx) => onPaymentAuthorized(tx, lapsing.authorized(2_000n, { expiresIn_ms: 60_000 })));
    const late = await db.inTx((tx) => onPaymentVoided(tx, lapsing.voided(2_000n, { after_ms: 120_000 })));
    expect(draftOf(late, 'HoldVoided')).toMatchObject({ reason: 'HOLD_EXPIRED' });
    await expectVerifyClean();
  });

  it('refunds before and after delivery take from escrow, then from the merchant payable; never beyond the capture', async () => {
    const story = new PaymentStory();
    await db.inTx((tx) => onPaymentAuthorized(tx, story.authorized(10_000n)));
    await db.inTx((tx) => onPaymentCaptured(tx, story.captured(10_000n)));
    const before = await db.inTx((tx) => onPaymentRefunded(tx, story.refunded(4_000n, 1)));
    expect(draftOf(before, 'EntryPosted')).toMatchObject({ entryType: 'REFUND', reversesEntryId: expect.any(String) });
    expect(await db.balance(story.account('ESCROW'))).toEqual({ dp: 3_900n, cp: 9_750n, dq: 0n, cq: 0n });
    await db.inTx((tx) => onBookingCompleted(tx, story.completed()));
    const after = await db.inTx((tx) => onPaymentRefunded(tx, story.refunded(6_000n, 2)));
    expect(draftOf(after, 'EntryPosted').postings.map((p) => p.accountId)).toEqual([
      story.account('MERCHANT_PAYABLE'),
      story.account('PLATFORM_FEE_REFUNDS'),
      story.account('PSP_CLEARING'),
    ]);
    const beyond = await db.inTx((tx) => onPaymentRefunded(tx, story.refunded(1n, 3)));
    expect(beyond.outcome).toBe('break');
    expect(draftOf(beyond, 'LedgerBreakRaised')).toMatchObject({ kind: 'REFUND_UNPLACED', code: 'REFUND_EXCEEDS_CAPTURE', factEventType: 'PaymentRefunded', paymentId: story.paymentId });
    // Everything went back to the customer, and the PSP says one more cent did: PSP clearing shows
    // what the PSP did (−1), and the cent sits in SUSPENSE until someone explains it.
    const clearing = await db.balance(story.account('PSP_CLEARING'));
    expect(clearing.dp - clearing.cp).toBe(-1n);
    expect(await db.balance(story.account('SUSPENSE'))).toEqual({ dp: 1n, cp: 0n, dq: 0n, cq: 0n });
    await expectVerifyClean();
  });

  it('books the fee a capture states, at a rate it never knew, and a capture of an unknown payment in SUSPENSE with an open break', async () => {
    const story = new PaymentStory();
    await db.inTx((tx) => onPaymentAuthorized(tx, story.authorized(10_000n)));
    // Not the story's rate: the payment service decided 3 %, the ledger books it as said.
    const stated = await db.inTx((tx) => onPaymentCaptured(tx, story.captured(10_000n, 300n)));
    expect(stated.outcome).toBe('applied');
    expect(await db.balance(story.account('PLATFORM_FEE_ESCROW'))).toEqual({ dp: 0n, cp: 300n, dq: 0n, cq: 0n });
    const { rows: escrows } = await db.pool.query('SELECT fee_bps, fee_rule, fee_schedule_version FROM escrows WHERE escrow_id = $1', [story.paymentId]);
    expect(escrows).toEqual([{ fee_bps: 250, fee_rule: 'DEFAULT_RATE/HALF_UP', fee_schedule_version: 'fs-test' }]);
    const stranger = new PaymentStory();
    const unknown = await db.inTx((tx) => onPaymentCaptured(tx, stranger.captured(100n)));
    expect(unknown.outcome).toBe('break');
    expect(draftOf(unknown, 'LedgerBreakRaised')).toMatchObject({ kind: 'CAPTURE_UNPLACED', code: 'HOLD_NOT_FOUND', suspenseEntryId: expect.any(String) });
    expect(await db.balance(stranger.account('SUSPENSE'))).toEqual({ dp: 0n, cp: 100n, dq: 0n, cq: 0n });
    const { rows: breaks } = await db.pool.query("SELECT kind, code, status, amount_minor::text AS amount FROM breaks WHERE payment_id = $1", [stranger.paymentId]);
    expect(breaks).toEqual([{ kind: 'CAPTURE_UNPLACED', code: 'HOLD_NOT_FOUND', status: 'OPEN', amount: '100' }]);
    await expectVerifyClean();
  });
});
