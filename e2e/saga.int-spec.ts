import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { CompleteBooking, RequestBooking, type Actor, type Envelope } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { AUDITED_TOPICS, verifyTrail } from '@txn/audit';
import { verifyLedger } from '@txn/ledger';
import { startPlatformInProcess, type LogLine, type PlatformInProcess, type SeenEvent } from './support/platform-in-process';
import { FEE_MINOR, HOUR_MS, MERCHANT_SHARE_MINOR, PRICE_MINOR, SAGA_TEST_TIMEOUT_MS, STEP_TIMEOUT_MS } from './support/saga-figures';

// The booking saga end to end: booking, payment and ledger in one process on the real Kafka,
// PostgreSQL, registry and localstripe (behind the PSP fault proxy), talking only through the
// saga's topics. A customer asks for a slot; everything after that is the services' own doing,
// except the merchant's CompleteBooking, which this test sends as the merchant would.

/** Three services' migrations, group joins, schema registration. */
const START_TIMEOUT_MS = 120_000;
const DECLINING_CUSTOMER = 'customer-card-declined';
/** localstripe declines a confirmation with this test payment method (card_declined). */
const DECLINING_PAYMENT_METHOD = 'pm_card_chargeCustomerFail';
const GOOD_PAYMENT_METHOD = 'pm_card_visa';
const MERCHANT_KEY: Actor = { type: 'API_KEY', id: 'merchant-e2e-key' };

describe('booking saga end to end (booking, payment, ledger in-process; real Kafka, PostgreSQL, registry, localstripe)', () => {
  let platform: PlatformInProcess;

  function envelope(eventType: string, bookingId: string, actor: Actor): Envelope {
    return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'e2e-test', aggregateId: bookingId, aggregateVersion: 0n, correlationId: bookingId, causationId: null, actor, tenantId: platform.tenantId };
  }

  async function addResource(): Promise<string> {
    const resourceId = `room-${randomUUID().slice(0, 8)}`;
    await platform.booking.pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [platform.tenantId, resourceId, 'E2E room']);
    return resourceId;
  }

  function requestBooking(resourceId: string, customerId: string, startsAt: Date): RequestBooking {
    const bookingId = randomUUID();
    return {
      envelope: envelope('RequestBooking', bookingId, { type: 'USER', id: customerId }),
      bookingId,
      requestIdempotencyKey: randomUUID(),
      customerId,
      customerEmail: null,
      slot: { resourceId, startsAt, endsAt: new Date(startsAt.getTime() + HOUR_MS) },
      price: { amountMinor: PRICE_MINOR, currency: 'EUR' },
      holdExpiresAt: new Date(Date.now() + 15 * 60_000),
    };
  }

  const step = (bookingId: string, eventType: string, matches?: (event: SeenEvent) => boolean): Promise<SeenEvent> =>
    platform.waitForEvent(bookingId, eventType, STEP_TIMEOUT_MS, matches);

  function handled(logs: readonly LogLine[], eventId: string): unknown[] {
    return logs.filter((line) => line.msg === 'message handled' && line.eventId === eventId).map((line) => line.outcome);
  }

  /** After the last event: the consumer's log line follows its commit, so wait for it rather than assume it. */
  function waitForHandled(logs: readonly LogLine[], eventId: string): Promise<unknown[]> {
    return waitFor(`a handled outcome for ${eventId}`, () => (handled(logs, eventId).length > 0 ? handled(logs, eventId) : undefined), STEP_TIMEOUT_MS);
  }

  /** An event type the ledger has no handler for is acknowledged without a log line at info: count it instead. */
  async function ledgerIgnored(eventType: string): Promise<number> {
    const metric = await platform.ledger.service.dependencies.metrics.getSingleMetric('messaging_consumer_unhandled_messages_total')?.get();
    return metric?.values.filter((value) => value.labels.event_type === eventType).reduce((sum, value) => sum + value.value, 0) ?? 0;
  }

  function waitForLedgerIgnored(eventType: string, count: number): Promise<true> {
    return waitFor(`the ledger to acknowledge ${count} ${eventType}`, async () => ((await ledgerIgnored(eventType)) >= count ? true : undefined), STEP_TIMEOUT_MS);
  }

  async function ledgerBalances(): Promise<Record<string, { posted: bigint; pending: bigint }>> {
    const { rows } = await platform.ledger.pool.query<{ account_id: string; posted: string; pending: string }>(
      `SELECT b.account_id,
              (CASE a.normal_side WHEN 'DEBIT' THEN b.debits_posted_minor - b.credits_posted_minor ELSE b.credits_posted_minor - b.debits_posted_minor END)::text AS posted,
              (b.debits_pending_minor + b.credits_pending_minor)::text AS pending
         FROM account_balances b JOIN accounts a USING (account_id)
        WHERE a.tenant_id = $1 ORDER BY b.account_id LIMIT 100`,
      [platform.tenantId],
    );
    return Object.fromEntries(rows.map((row) => [row.account_id.split(':')[0] ?? row.account_id, { posted: BigInt(row.posted), pending: BigInt(row.pending) }]));
  }

  async function expectLedgerVerifiesClean(): Promise<void> {
    const report = await verifyLedger(platform.ledger.pool);
    expect(report.findings).toEqual([]);
    for (const currency of report.currencies) expect(currency).toMatchObject({ postedNetMinor: 0n, pendingNetMinor: 0n });
  }

  function routeDelta(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
    const delta: Record<string, number> = {};
    for (const [route, count] of Object.entries(after)) if (count !== (before[route] ?? 0)) delta[route] = count - (before[route] ?? 0);
    return delta;
  }

  beforeAll(async () => {
    platform = await startPlatformInProcess({ paymentMethodOf: (customerId) => (customerId === DECLINING_CUSTOMER ? DECLINING_PAYMENT_METHOD : GOOD_PAYMENT_METHOD), audit: true });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    // E2E_TIMELINE_FILE=<path> keeps every saga event seen, in arrival order, for a person to read.
    if (process.env.E2E_TIMELINE_FILE !== undefined && platform !== undefined) {
      const lines = platform.seen.map((event) => `${String(event.seenAt_ms).padStart(7)} ms  ${event.value.envelope.correlationId}  ${event.topic.padEnd(19)} ${event.eventType}`);
      writeFileSync(process.env.E2E_TIMELINE_FILE, `${lines.join('\n')}\n`);
    }
    await platform?.close();
  }, START_TIMEOUT_MS);

  /** Every state change of the saga (each event on an audited topic) has exactly one audit record, with its actor and its before and after; the tenant's chain verifies. */
  async function expectOneAuditRecordPerStateChange(bookingId: string): Promise<void> {
    const audit = platform.audit;
    if (audit === undefined) throw new Error('this suite starts the audit service');
    const changesSeen = () => platform.sagaOf(bookingId).filter((event) => (AUDITED_TOPICS as readonly string[]).includes(event.topic));
    const recordsOf = async () => (await audit.pool.query<{ event_id: string; action: string; actor_type: string; actor_id: string; status_before: string | null; status_after: string | null; aggregate_version: string }>('SELECT event_id, action, actor_type, actor_id, status_before, status_after, aggregate_version FROM audit_records WHERE correlation_id = $1', [bookingId])).rows;
    // The audit and the test's reader consume the same topics, each at its own pace: wait until both have the same events.
    const idsOf = (ids: readonly string[]): string => [...new Set(ids)].sort().join(',');
    const { changes, records } = await waitFor('an audit record of every state change', async () => {
      const [seen, rows] = [changesSeen(), await recordsOf()];
      return idsOf(rows.map((row) => row.event_id)) === idsOf(seen.map((event) => event.value.envelope.eventId)) ? { changes: seen, records: rows } : undefined;
    }, STEP_TIMEOUT_MS);
    expect(changes.length).toBeGreaterThanOrEqual(3);
    expect(records).toHaveLength(new Set(changes.map((event) => event.value.envelope.eventId)).size);
    for (const change of changes) {
      const value = change.value as { envelope: Envelope; statusBefore?: string | null; statusAfter?: string };
      const matching = records.filter((record) => record.event_id === value.envelope.eventId);
      expect(matching).toHaveLength(1);
      expect(matching[0]).toMatchObject({ action: change.eventType, actor_type: value.envelope.actor.type, actor_id: value.envelope.actor.id, aggregate_version: String(value.envelope.aggregateVersion) });
      if (value.statusAfter !== undefined) expect(matching[0]).toMatchObject({ status_before: value.statusBefore ?? null, status_after: value.statusAfter });
    }
    const report = await verifyTrail(audit.pool, new Map(), platform.tenantId);
    expect(report.verdicts).toEqual([expect.objectContaining({ ok: true, chainId: platform.tenantId })]);
  }

  it('takes a paid booking from request to payout: held, authorized, confirmed, captured into escrow, completed, released to the merchant; one PaymentIntent; ledger balanced', async () => {
    const routesBefore = platform.proxyStats().forwarded_by_route;
    const request = requestBooking(await addResource(), 'customer-pays', new Date(Date.now() + 48 * HOUR_MS));
    const bookingId = request.bookingId;
    await platform.send(RequestBooking, request, bookingId);

    const held = await step(bookingId, 'BookingHeld');
    expect(held.value).toMatchObject({ statusBefore: null, statusAfter: 'HELD', price: { amountMinor: PRICE_MINOR, currency: 'EUR' } });
    expect(held.value.envelope.causationId).toBe(request.envelope.eventId);

    const authorized = await step(bookingId, 'PaymentAuthorized');
    const paymentId = String(authorized.value.paymentId);
    expect(authorized.value).toMatchObject({ bookingId, statusBefore: 'PENDING', statusAfter: 'AUTHORIZED', authorizedAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' }, pspIdempotencyKey: `pay_${paymentId}_authorize` });
    // The PSP's answer is recorded outside any consumer; it still names what asked for the call.
    expect(authorized.value.envelope.causationId).toBe(held.value.envelope.eventId);

    const holdPlaced = await step(bookingId, 'HoldPlaced');
    expect(holdPlaced.value).toMatchObject({ holdId: paymentId, statusAfter: 'PENDING', amount: { amountMinor: PRICE_MINOR, currency: 'EUR' } });
    expect(holdPlaced.value.envelope.causationId).toBe(authorized.value.envelope.eventId);

    const confirmed = await step(bookingId, 'BookingConfirmed');
    expect(confirmed.value).toMatchObject({ statusBefore: 'HELD', statusAfter: 'CONFIRMED', paymentId, reason: 'PAYMENT_AUTHORIZED' });
    expect(confirmed.value.envelope.causationId).toBe(authorized.value.envelope.eventId);

    const captured = await step(bookingId, 'PaymentCaptured');
    expect(captured.value).toMatchObject({ paymentId, statusBefore: 'AUTHORIZED', statusAfter: 'CAPTURED', capturedAmount: { amountMinor: PRICE_MINOR }, platformFee: { amountMinor: FEE_MINOR } });
    expect(captured.value.envelope.causationId).toBe(confirmed.value.envelope.eventId);

    const holdPosted = await step(bookingId, 'HoldPosted');
    expect(holdPosted.value).toMatchObject({ holdId: paymentId, statusBefore: 'PENDING', statusAfter: 'POSTED', postedAmount: { amountMinor: PRICE_MINOR } });
    expect(holdPosted.value.envelope.causationId).toBe(captured.value.envelope.eventId);
    const captureEntry = await step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'CAPTURE_TO_ESCROW');
    expect(captureEntry.value.postings).toEqual([
      { accountId: `PSP_CLEARING:${platform.tenantId}:EUR`, side: 'DEBIT', amount: { amountMinor: PRICE_MINOR, currency: 'EUR' } },
      { accountId: `ESCROW:${platform.tenantId}:EUR`, side: 'CREDIT', amount: { amountMinor: MERCHANT_SHARE_MINOR, currency: 'EUR' } },
      { accountId: `PLATFORM_FEE_ESCROW:${platform.tenantId}:EUR`, side: 'CREDIT', amount: { amountMinor: FEE_MINOR, currency: 'EUR' } },
    ]);

    // Booking unlocks completion only once it has seen the capture (escrow funded); its log line follows that commit.
    expect(await waitForHandled(platform.booking.logs, captured.value.envelope.eventId)).toEqual(['applied']);
    // The merchant reports the service delivered.
    const completion: CompleteBooking = { envelope: envelope('CompleteBooking', bookingId, MERCHANT_KEY), bookingId, deliveredAt: new Date(), reason: null };
    await platform.send(CompleteBooking, completion, bookingId);

    const completed = await step(bookingId, 'BookingCompleted');
    expect(completed.value).toMatchObject({ statusBefore: 'CONFIRMED', statusAfter: 'COMPLETED', paymentId, reason: 'SERVICE_DELIVERED' });
    expect(completed.value.envelope.causationId).toBe(completion.envelope.eventId);
    const released = await step(bookingId, 'EscrowReleased');
    expect(released.value).toMatchObject({ escrowId: paymentId, statusAfter: 'RELEASED', releasedAmount: { amountMinor: PRICE_MINOR }, merchantAmount: { amountMinor: MERCHANT_SHARE_MINOR }, platformFee: { amountMinor: FEE_MINOR } });
    expect(released.value.envelope.causationId).toBe(completed.value.envelope.eventId);
    await step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'ESCROW_RELEASE');

    // Every event of the saga carries the booking as correlation id and the tenant; nothing went sideways.
    const saga = platform.sagaOf(bookingId);
    for (const event of saga) expect(event.value.envelope.tenantId).toBe(platform.tenantId);
    expect(saga.map((event) => event.eventType).filter((type) => /Rejected|Failed|Unknown|Voided|Cancelled|Expired/.test(type))).toEqual([]);
    // Per aggregate, versions only go up: booking 1 (held) → 2 (confirmed) → 3 (completed).
    expect(saga.filter((event) => event.topic === 'booking.events.v1').map((event) => event.value.envelope.aggregateVersion)).toEqual([1n, 2n, 3n]);

    // Every aggregate is in its terminal state.
    const booking = await platform.booking.pool.query('SELECT status, captured_minor FROM bookings WHERE booking_id = $1', [bookingId]);
    expect(booking.rows).toEqual([{ status: 'COMPLETED', captured_minor: String(PRICE_MINOR) }]);
    const payment = await platform.payment.pool.query('SELECT status, captured_minor, in_flight, needs_attention FROM payments WHERE booking_id = $1', [bookingId]);
    expect(payment.rows).toEqual([{ status: 'CAPTURED', captured_minor: String(PRICE_MINOR), in_flight: null, needs_attention: false }]);
    const calls = await platform.payment.pool.query('SELECT count(*)::int AS n FROM psp_calls WHERE payment_id = $1', [paymentId]);
    expect(calls.rows).toEqual([{ n: 0 }]);
    const hold = await platform.ledger.pool.query('SELECT status, posted_amount_minor FROM holds WHERE hold_id = $1', [paymentId]);
    expect(hold.rows).toEqual([{ status: 'POSTED', posted_amount_minor: String(PRICE_MINOR) }]);
    const escrow = await platform.ledger.pool.query('SELECT status, captured_minor, platform_fee_minor FROM escrows WHERE payment_id = $1', [paymentId]);
    expect(escrow.rows).toEqual([{ status: 'RELEASED', captured_minor: String(PRICE_MINOR), platform_fee_minor: String(FEE_MINOR) }]);

    // The money: the PSP owes us the price; the merchant is owed its share; the fee is earned; nothing pending.
    expect(await ledgerBalances()).toEqual({
      CUSTOMER_FUNDS_HELD: { posted: 0n, pending: 0n },
      ESCROW: { posted: 0n, pending: 0n },
      MERCHANT_PAYABLE: { posted: MERCHANT_SHARE_MINOR, pending: 0n },
      PLATFORM_FEE_ESCROW: { posted: 0n, pending: 0n },
      PLATFORM_FEE_REVENUE: { posted: FEE_MINOR, pending: 0n },
      PSP_CLEARING: { posted: PRICE_MINOR, pending: 0n },
    });
    await expectLedgerVerifiesClean();

    // Exactly one charge at the PSP, captured in full; one authorize and one capture reached it.
    const intents = await platform.intentsAtSandbox(paymentId);
    expect(intents.map((intent) => [intent.id, intent.status, intent.capture_method, intent.amount, intent.currency])).toEqual([[authorized.value.pspPaymentIntentId, 'succeeded', 'manual', Number(PRICE_MINOR), 'eur']]);
    expect(routeDelta(routesBefore, platform.proxyStats().forwarded_by_route)).toEqual({ 'POST /v1/payment_intents': 1, 'POST /v1/payment_intents/{id}/capture': 1 });

    await expectOneAuditRecordPerStateChange(bookingId);
  }, SAGA_TEST_TIMEOUT_MS);

  it('releases the slot when the card is declined: PaymentFailed, booking cancelled (PAYMENT_FAILED), nothing held or journaled, slot bookable again', async () => {
    const resourceId = await addResource();
    const startsAt = new Date(Date.now() + 72 * HOUR_MS);
    const request = requestBooking(resourceId, DECLINING_CUSTOMER, startsAt);
    const bookingId = request.bookingId;
    const failedBefore = await ledgerIgnored('PaymentFailed');
    await platform.send(RequestBooking, request, bookingId);

    const held = await step(bookingId, 'BookingHeld');
    const failed = await step(bookingId, 'PaymentFailed');
    const paymentId = String(failed.value.paymentId);
    expect(failed.value.envelope.causationId).toBe(held.value.envelope.eventId);
    expect(failed.value).toMatchObject({ bookingId, statusBefore: 'PENDING', statusAfter: 'FAILED', failureCode: 'card_declined', amount: { amountMinor: PRICE_MINOR, currency: 'EUR' } });

    const cancelled = await step(bookingId, 'BookingCancelled');
    expect(cancelled.value).toMatchObject({ statusBefore: 'HELD', statusAfter: 'CANCELLED', reason: 'PAYMENT_FAILED', paymentId, refundAmount: null });
    expect(cancelled.value.envelope.causationId).toBe(failed.value.envelope.eventId);
    // Payment hears the cancellation of a payment that already failed: nothing to void or refund, and it says why.
    expect(await waitForHandled(platform.payment.logs, cancelled.value.envelope.eventId)).toEqual(['stale']);
    const unapplied = await platform.payment.pool.query('SELECT outcome, reason FROM unapplied_messages WHERE event_id = $1', [cancelled.value.envelope.eventId]);
    expect(unapplied.rows).toEqual([{ outcome: 'stale', reason: 'PAYMENT_CLOSED' }]);
    // Ledger heard PaymentFailed (a no-op for it): wait for that before looking at its tables.
    await waitForLedgerIgnored('PaymentFailed', failedBefore + 1);

    // The slot is free again: the next request for it is held (and, with the same card, cancelled again).
    const again = requestBooking(resourceId, DECLINING_CUSTOMER, startsAt);
    await platform.send(RequestBooking, again, again.bookingId);
    await step(again.bookingId, 'BookingHeld');
    await step(again.bookingId, 'BookingCancelled');
    await step(again.bookingId, 'PaymentFailed');
    await waitForLedgerIgnored('PaymentFailed', failedBefore + 2);

    for (const id of [bookingId, again.bookingId]) {
      const saga = platform.sagaOf(id).map((event) => event.eventType);
      expect(saga).toEqual(expect.arrayContaining(['RequestBooking', 'BookingHeld', 'PaymentFailed', 'BookingCancelled']));
      // Nothing reached the ledger: no hold, no entry, no refusal.
      expect(saga.filter((type) => ['HoldPlaced', 'HoldPosted', 'HoldVoided', 'EntryPosted', 'LedgerRejected', 'PaymentAuthorized'].includes(type))).toEqual([]);
    }
    const bookings = await platform.booking.pool.query('SELECT booking_id, status FROM bookings WHERE resource_id = $1 ORDER BY created_at', [resourceId]);
    expect(bookings.rows).toEqual([
      { booking_id: bookingId, status: 'CANCELLED' },
      { booking_id: again.bookingId, status: 'CANCELLED' },
    ]);
    const payments = await platform.payment.pool.query('SELECT status, in_flight, needs_attention FROM payments WHERE booking_id = ANY($1::uuid[])', [[bookingId, again.bookingId]]);
    expect(payments.rows).toEqual([
      { status: 'FAILED', in_flight: null, needs_attention: false },
      { status: 'FAILED', in_flight: null, needs_attention: false },
    ]);
    const ledgerRows = await platform.ledger.pool.query(
      'SELECT (SELECT count(*) FROM holds WHERE booking_id = ANY($1::uuid[]))::int AS holds, (SELECT count(*) FROM journal_entries WHERE booking_id = ANY($1::uuid[]))::int AS entries',
      [[bookingId, again.bookingId]],
    );
    expect(ledgerRows.rows).toEqual([{ holds: 0, entries: 0 }]);
    await expectLedgerVerifiesClean();

    // At the PSP nothing was reserved or charged for the declined card.
    const intents = await platform.intentsAtSandbox(paymentId);
    expect(intents.length).toBeLessThanOrEqual(1);
    for (const intent of intents) expect(['requires_capture', 'succeeded']).not.toContain(intent.status);

    await expectOneAuditRecordPerStateChange(bookingId);
  }, SAGA_TEST_TIMEOUT_MS);
});
