import { randomUUID } from 'node:crypto';
import { CompleteBooking, type Actor, type Envelope } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { verifyLedger } from '@txn/ledger';
import { committedOffsets, endOffsets, setGroupOffsets, waitForCommitPast } from './support/consumer-offsets';
import { ledgerConsumerGroup, startLedgerAgain } from './support/ledger-restart';
import { requestBookingOn } from './support/booking-requests';
import { startPlatformInProcess, type PlatformInProcess, type PlatformOptions, type SeenEvent } from './support/platform-in-process';
import { restartPaymentWith, type RestartedService } from './support/platform-restart';
import { aggregatesOf, handledOutcomes, routeDelta, waitForHandled } from './support/saga-views';
import { FEE_MINOR, MERCHANT_SHARE_MINOR, OUTCOME_QUERY_TIME_DIVISOR, PRICE_MINOR, SAGA_TEST_TIMEOUT_MS, STEP_TIMEOUT_MS } from './support/saga-figures';

// PSP faults and cross-topic reordering on the saga's paths that compensation.int-spec.ts does not
// take: booking, payment and ledger in one process on the real Kafka, PostgreSQL, registry and
// localstripe, the PSP behind the in-process fault proxy. Every test ends the same way: exactly the
// expected PaymentIntent at the PSP for the booking, the ledger verifies clean, every aggregate
// terminal, and only the expected requests reached the PSP.

/** Three services' migrations, group joins, schema registration, then payment restarted once. */
const START_TIMEOUT_MS = 180_000;
const GOOD_PAYMENT_METHOD = 'pm_card_visa';
const MERCHANT_KEY: Actor = { type: 'API_KEY', id: 'merchant-e2e-key' };
const PLATFORM_OPTIONS: PlatformOptions = { paymentMethodOf: () => GOOD_PAYMENT_METHOD };
const CREATE_INTENT = 'POST /v1/payment_intents';
const CAPTURE_INTENT = 'POST /v1/payment_intents/{id}/capture';
const CANCEL_INTENT = 'POST /v1/payment_intents/{id}/cancel';
const RETRIEVE_INTENT = 'GET /v1/payment_intents/{id}';
const LIST_INTENTS = 'GET /v1/payment_intents';

describe('booking saga under PSP faults and reordered topics (booking, payment, ledger in-process; real Kafka, PostgreSQL, registry, localstripe behind the fault proxy)', () => {
  let platform: PlatformInProcess;
  let payment: RestartedService | undefined;
  /** The ledger once the reordering test has restarted it; closed before the harness. */
  let ledger: RestartedService | undefined;

  function envelope(eventType: string, bookingId: string, actor: Actor): Envelope {
    return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'e2e-test', aggregateId: bookingId, aggregateVersion: 0n, correlationId: bookingId, causationId: null, actor, tenantId: platform.tenantId };
  }


  const requestBooking = async (customerId: string): Promise<string> => (await requestBookingOn(platform, customerId)).bookingId;

  const step = (bookingId: string, eventType: string, matches?: (event: SeenEvent) => boolean): Promise<SeenEvent> =>
    platform.waitForEvent(bookingId, eventType, STEP_TIMEOUT_MS, matches);

  const countOf = (bookingId: string, eventType: string): number => platform.sagaOf(bookingId).filter((event) => event.eventType === eventType).length;

  /** The merchant reports the service delivered; booking accepts it only after it saw PaymentCaptured. */
  async function sendCompletion(bookingId: string, paymentId: string): Promise<SeenEvent> {
    await platform.send(CompleteBooking, { envelope: envelope('CompleteBooking', bookingId, MERCHANT_KEY), bookingId, deliveredAt: new Date(), reason: null }, bookingId);
    const completed = await step(bookingId, 'BookingCompleted');
    expect(completed.value).toMatchObject({ statusBefore: 'CONFIRMED', statusAfter: 'COMPLETED', paymentId });
    return completed;
  }

  /** Escrow funded by the capture, then released to the merchant on completion. */
  async function expectCapturedAndReleased(bookingId: string, paymentId: string, captured: SeenEvent): Promise<void> {
    await step(bookingId, 'HoldPlaced');
    expect((await step(bookingId, 'HoldPosted')).value).toMatchObject({ holdId: paymentId, statusAfter: 'POSTED', postedAmount: { amountMinor: PRICE_MINOR } });
    await step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'CAPTURE_TO_ESCROW');
    expect(await waitForHandled(platform.booking.logs, captured.value.envelope.eventId, STEP_TIMEOUT_MS)).toEqual(['applied']);
    await sendCompletion(bookingId, paymentId);
    expect((await step(bookingId, 'EscrowReleased')).value).toMatchObject({ escrowId: paymentId, statusAfter: 'RELEASED', merchantAmount: { amountMinor: MERCHANT_SHARE_MINOR }, platformFee: { amountMinor: FEE_MINOR } });
    await step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'ESCROW_RELEASE');
  }

  /** Booking completed, payment captured with nothing open, escrow released: the happy path's resting state. */
  function completedSaga(): Record<string, unknown> {
    return {
      booking: [{ status: 'COMPLETED', captured_minor: String(PRICE_MINOR) }],
      payment: [{ status: 'CAPTURED', captured_minor: String(PRICE_MINOR), in_flight: null, unknown_outcome: null, booking_release: null, needs_attention: false }],
      pspCalls: { n: 0 },
      hold: [{ status: 'POSTED' }],
      escrow: [{ status: 'RELEASED', captured_minor: String(PRICE_MINOR), refunded_minor: '0' }],
      entries: ['CAPTURE_TO_ESCROW', 'ESCROW_RELEASE'],
      releaseRequests: { n: 0 },
    };
  }

  async function expectLedgerVerifiesClean(): Promise<void> {
    const report = await verifyLedger(platform.ledger.pool);
    expect(report.findings).toEqual([]);
    for (const currency of report.currencies) expect(currency).toMatchObject({ postedNetMinor: 0n, pendingNetMinor: 0n });
  }

  /** What the outcome poller's queries found for the payment; its log line follows the commit of what it decided. */
  function queryFindings(paymentId: string): Promise<unknown[]> {
    const findings = (): unknown[] => platform.payment.logs.filter((line) => line.msg === 'asked the PSP about an unknown outcome' && line.paymentId === paymentId).map((line) => line.finding);
    return waitFor(`an outcome query for payment ${paymentId}`, () => (findings().length > 0 ? findings() : undefined), STEP_TIMEOUT_MS);
  }

  /** The PaymentIntents localstripe holds for the payment: [id, status, amount]. */
  async function intentsOf(paymentId: string): Promise<[string, string, number][]> {
    return (await platform.intentsAtSandbox(paymentId)).map((intent) => [intent.id, intent.status, intent.amount]);
  }

  beforeAll(async () => {
    platform = await startPlatformInProcess(PLATFORM_OPTIONS);
    // The outcome poller's first query 300 ms after an unknown outcome instead of 1 min.
    payment = await restartPaymentWith(platform, PLATFORM_OPTIONS, { outcomeQueryTimeDivisor: OUTCOME_QUERY_TIME_DIVISOR });
  }, START_TIMEOUT_MS);

  afterEach(() => {
    // A fault a failed test did not consume must not hit the next test's booking.
    platform?.proxy.faults.clear();
  });

  afterAll(async () => {
    await ledger?.close();
    await payment?.close();
    await platform?.close();
  }, START_TIMEOUT_MS);

  it('voids by itself when the PSP refuses the capture (card_declined): PaymentCaptureFailed, booking CANCELLED (CAPTURE_FAILED), PaymentVoided, ledger hold voided; one intent, canceled', async () => {
    const routesBefore = platform.proxyStats().forwarded_by_route;
    const declinesBefore = platform.proxyStats().faults_injected.card_declined;
    // The capture is answered 402 card_declined by the proxy; the PSP itself never sees it.
    platform.proxy.faults.inject({ kind: 'card_declined', method: 'POST', path: '/v1/payment_intents/*/capture', times: 1 });

    const bookingId = await requestBooking('customer-capture-refused');
    await step(bookingId, 'BookingHeld');
    const authorized = await step(bookingId, 'PaymentAuthorized');
    const paymentId = String(authorized.value.paymentId);
    const intentId = String(authorized.value.pspPaymentIntentId);
    await step(bookingId, 'BookingConfirmed');

    const captureFailed = await step(bookingId, 'PaymentCaptureFailed');
    expect(captureFailed.value).toMatchObject({
      paymentId,
      statusBefore: 'AUTHORIZED',
      statusAfter: 'CAPTURE_FAILED',
      failureCode: 'card_declined',
      pspPaymentIntentId: intentId,
      pspIdempotencyKey: `pay_${paymentId}_capture`,
      amount: { amountMinor: PRICE_MINOR, currency: 'EUR' },
    });
    const cancelled = await step(bookingId, 'BookingCancelled');
    expect(cancelled.value).toMatchObject({ statusBefore: 'CONFIRMED', statusAfter: 'CANCELLED', reason: 'CAPTURE_FAILED', paymentId, refundAmount: null });
    expect(cancelled.value.envelope.causationId).toBe(captureFailed.value.envelope.eventId);

    // Payment did not wait for the cancellation: the refused capture itself asked for the void.
    const voided = await step(bookingId, 'PaymentVoided');
    expect(voided.value).toMatchObject({
      paymentId,
      statusBefore: 'CAPTURE_FAILED',
      statusAfter: 'VOIDED',
      reason: 'CAPTURE_FAILED',
      pspPaymentIntentId: intentId,
      pspIdempotencyKey: `pay_${paymentId}_void`,
      voidedAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' },
    });
    // The cancellation finds the void under way (or done, if the PSP answered first): nothing more to do.
    expect(await waitForHandled(platform.payment.logs, cancelled.value.envelope.eventId, STEP_TIMEOUT_MS)).toEqual(['stale']);
    const unapplied = await platform.payment.pool.query<{ outcome: string; reason: string }>('SELECT outcome, reason FROM unapplied_messages WHERE event_id = $1', [cancelled.value.envelope.eventId]);
    expect(unapplied.rows).toHaveLength(1);
    expect(['ALREADY_VOIDING', 'PAYMENT_CLOSED']).toContain(unapplied.rows[0]?.reason);

    await step(bookingId, 'HoldPlaced');
    const holdVoided = await step(bookingId, 'HoldVoided');
    expect(holdVoided.value).toMatchObject({ holdId: paymentId, paymentId, statusBefore: 'PENDING', statusAfter: 'VOIDED', voidedAmount: { amountMinor: PRICE_MINOR } });
    expect(holdVoided.value.envelope.causationId).toBe(voided.value.envelope.eventId);

    expect(await aggregatesOf(platform, bookingId, paymentId)).toEqual({
      booking: [{ status: 'CANCELLED', captured_minor: null }],
      payment: [{ status: 'VOIDED', captured_minor: null, in_flight: null, unknown_outcome: null, booking_release: null, needs_attention: false }],
      pspCalls: { n: 0 },
      hold: [{ status: 'VOIDED' }],
      escrow: [],
      entries: [],
      releaseRequests: { n: 0 },
    });
    for (const type of ['PaymentCaptured', 'HoldPosted', 'EntryPosted', 'LedgerRejected', 'PaymentOutcomeUnknown']) expect(countOf(bookingId, type)).toBe(0);
    await expectLedgerVerifiesClean();

    // One intent, its reservation released; the capture never reached the PSP, the cancel did once.
    expect(await intentsOf(paymentId)).toEqual([[intentId, 'canceled', Number(PRICE_MINOR)]]);
    expect(routeDelta(routesBefore, platform.proxyStats().forwarded_by_route)).toEqual({ [CREATE_INTENT]: 1, [CANCEL_INTENT]: 1 });
    expect(platform.proxyStats().faults_injected.card_declined - declinesBefore).toBe(1);
  }, SAGA_TEST_TIMEOUT_MS);

  it('never fails an authorization the PSP did not answer (503 before the work): OUTCOME_UNKNOWN, the poller finds no intent of ours, the create is sent again with the same key, the saga completes; one intent', async () => {
    const routesBefore = platform.proxyStats().forwarded_by_route;
    const { replayed: replayedBefore, faults_injected: faultsBefore } = platform.proxyStats();
    // A gateway in front of the PSP answers 503; the create never reaches localstripe, nothing is stored under the key.
    platform.proxy.faults.inject({ kind: 'error_before_work', status: 503, method: 'POST', path: '/v1/payment_intents', times: 1 });

    const bookingId = await requestBooking('customer-psp-unavailable');
    await step(bookingId, 'BookingHeld');
    const unknown = await step(bookingId, 'PaymentOutcomeUnknown');
    const paymentId = String(unknown.value.paymentId);
    expect(unknown.value).toMatchObject({ statusBefore: 'PENDING', statusAfter: 'OUTCOME_UNKNOWN', operation: 'AUTHORIZE', reason: 'PSP_HTTP_503', pspPaymentIntentId: null, pspIdempotencyKey: `pay_${paymentId}_authorize` });

    // The poller looks for an intent whose id we never learned by our metadata in the PSP's list: none
    // exists, and the create window is open, so the dispatcher sends the create again with the same
    // key; the PSP has nothing stored under it and performs it now, once (decision 0022).
    const authorized = await step(bookingId, 'PaymentAuthorized');
    expect(authorized.value).toMatchObject({ paymentId, statusBefore: 'OUTCOME_UNKNOWN', statusAfter: 'AUTHORIZED', authorizedAmount: { amountMinor: PRICE_MINOR }, pspIdempotencyKey: `pay_${paymentId}_authorize` });
    expect(await queryFindings(paymentId)).toEqual(['not_found']);
    await step(bookingId, 'BookingConfirmed', (event) => event.value.envelope.causationId === authorized.value.envelope.eventId);
    const captured = await step(bookingId, 'PaymentCaptured');
    expect(captured.value).toMatchObject({ paymentId, statusBefore: 'AUTHORIZED', statusAfter: 'CAPTURED', capturedAmount: { amountMinor: PRICE_MINOR }, pspPaymentIntentId: authorized.value.pspPaymentIntentId });
    await expectCapturedAndReleased(bookingId, paymentId, captured);

    expect(await aggregatesOf(platform, bookingId, paymentId)).toEqual(completedSaga());
    // Unknown is not failed: the booking never heard of a failure and stayed HELD until authorized.
    for (const type of ['PaymentFailed', 'BookingCancelled', 'LedgerRejected']) expect(countOf(bookingId, type)).toBe(0);
    for (const type of ['PaymentOutcomeUnknown', 'PaymentAuthorized', 'PaymentCaptured', 'HoldPlaced', 'HoldPosted', 'EscrowReleased']) expect(countOf(bookingId, type)).toBe(1);
    await expectLedgerVerifiesClean();

    // One intent: the 503 did nothing at the PSP, the list found nothing, the re-sent create was the first to arrive (not a replay).
    expect(await intentsOf(paymentId)).toEqual([[String(authorized.value.pspPaymentIntentId), 'succeeded', Number(PRICE_MINOR)]]);
    // (The list is read page by page over every intent of the shared sandbox in the window: one page or more.)
    const { [LIST_INTENTS]: listPages, ...sent } = routeDelta(routesBefore, platform.proxyStats().forwarded_by_route);
    expect(sent).toEqual({ [CREATE_INTENT]: 1, [CAPTURE_INTENT]: 1 });
    expect(listPages).toBeGreaterThanOrEqual(1);
    expect(platform.proxyStats().faults_injected.error_before_work - faultsBefore.error_before_work).toBe(1);
    expect(platform.proxyStats().replayed - replayedBefore).toBe(0);
  }, SAGA_TEST_TIMEOUT_MS);

  it('captures exactly once when the PSP did not answer the capture (503 before the work): OUTCOME_UNKNOWN, the poller finds the intent still requires_capture and captures again with the same key; one intent', async () => {
    const routesBefore = platform.proxyStats().forwarded_by_route;
    const { replayed: replayedBefore, faults_injected: faultsBefore } = platform.proxyStats();
    platform.proxy.faults.inject({ kind: 'error_before_work', status: 503, method: 'POST', path: '/v1/payment_intents/*/capture', times: 1 });

    const bookingId = await requestBooking('customer-capture-unavailable');
    await step(bookingId, 'BookingHeld');
    const authorized = await step(bookingId, 'PaymentAuthorized');
    const paymentId = String(authorized.value.paymentId);
    const intentId = String(authorized.value.pspPaymentIntentId);
    await step(bookingId, 'BookingConfirmed');

    const unknown = await step(bookingId, 'PaymentOutcomeUnknown');
    expect(unknown.value).toMatchObject({ paymentId, statusBefore: 'AUTHORIZED', statusAfter: 'OUTCOME_UNKNOWN', operation: 'CAPTURE', reason: 'PSP_HTTP_503', pspPaymentIntentId: intentId, pspIdempotencyKey: `pay_${paymentId}_capture` });
    // The poller retrieves the intent (still requires_capture: the capture never arrived) and re-issues it with the same key.
    const captured = await step(bookingId, 'PaymentCaptured');
    expect(captured.value).toMatchObject({
      paymentId,
      statusBefore: 'OUTCOME_UNKNOWN',
      statusAfter: 'CAPTURED',
      capturedAmount: { amountMinor: PRICE_MINOR },
      platformFee: { amountMinor: FEE_MINOR },
      pspPaymentIntentId: intentId,
      pspIdempotencyKey: `pay_${paymentId}_capture`,
    });
    expect(await queryFindings(paymentId)).toEqual(['requires_capture']);
    await expectCapturedAndReleased(bookingId, paymentId, captured);

    expect(await aggregatesOf(platform, bookingId, paymentId)).toEqual(completedSaga());
    for (const type of ['PaymentCaptureFailed', 'PaymentVoided', 'BookingCancelled', 'LedgerRejected']) expect(countOf(bookingId, type)).toBe(0);
    for (const type of ['PaymentOutcomeUnknown', 'PaymentAuthorized', 'PaymentCaptured', 'HoldPosted', 'EscrowReleased']) expect(countOf(bookingId, type)).toBe(1);
    await expectLedgerVerifiesClean();

    // One intent, captured in full; one query and one capture reached the PSP (the 503'd capture never did).
    expect(await intentsOf(paymentId)).toEqual([[intentId, 'succeeded', Number(PRICE_MINOR)]]);
    expect(routeDelta(routesBefore, platform.proxyStats().forwarded_by_route)).toEqual({ [CREATE_INTENT]: 1, [RETRIEVE_INTENT]: 1, [CAPTURE_INTENT]: 1 });
    expect(platform.proxyStats().faults_injected.error_before_work - faultsBefore.error_before_work).toBe(1);
    expect(platform.proxyStats().replayed - replayedBefore).toBe(0);
  }, SAGA_TEST_TIMEOUT_MS);

  // Last in the file: it stops the harness's ledger and leaves a restarted one running.
  it('releases escrow once when the ledger sees BookingCompleted before PaymentAuthorized and PaymentCaptured: the completion waits as a release request, the capture funds escrow and takes it; nothing applied twice', async () => {
    const routesBefore = platform.proxyStats().forwarded_by_route;
    const group = ledgerConsumerGroup(platform);
    const paymentTopic = platform.ledger.service.dependencies.topicOf('payment.events.v1');
    const bookingTopic = platform.ledger.service.dependencies.topicOf('booking.events.v1');

    // The ledger is down while the saga runs to completion: its group's offsets stay where it stopped.
    await platform.ledger.service.close();
    const bookingId = await requestBooking('customer-ledger-reordered');
    await step(bookingId, 'BookingHeld');
    const authorized = await step(bookingId, 'PaymentAuthorized');
    const paymentId = String(authorized.value.paymentId);
    await step(bookingId, 'BookingConfirmed');
    const captured = await step(bookingId, 'PaymentCaptured');
    expect(await waitForHandled(platform.booking.logs, captured.value.envelope.eventId, STEP_TIMEOUT_MS)).toEqual(['applied']);
    const completed = await sendCompletion(bookingId, paymentId);

    // Hold payment.events back: the group resumes there past this saga's payment facts, so the
    // next ledger run reads only booking.events (BookingHeld, BookingConfirmed, BookingCompleted).
    const resumeAt = await committedOffsets(group, paymentTopic);
    for (const fact of [authorized, captured]) expect(BigInt(fact.offset)).toBeGreaterThanOrEqual(BigInt(resumeAt[fact.partition] ?? '-1'));
    const ends = await endOffsets(paymentTopic);
    expect(BigInt(ends[captured.partition] ?? '-1')).toBeGreaterThan(BigInt(captured.offset));
    await setGroupOffsets(group, paymentTopic, ends, STEP_TIMEOUT_MS);
    const outboxBefore = (await platform.ledger.pool.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM outbox')).rows[0]?.id ?? '0';

    // First run: the completion arrives with no hold and no escrow; the release is kept as a request.
    ledger = await startLedgerAgain(platform);
    const request = await waitFor(
      `the release request of payment ${paymentId}`,
      async () => (await platform.ledger.pool.query('SELECT entry_id, booking_id, reason FROM escrow_release_requests WHERE payment_id = $1', [paymentId])).rows[0] as Record<string, string> | undefined,
      STEP_TIMEOUT_MS,
    );
    expect(request).toEqual({ entry_id: completed.value.envelope.eventId, booking_id: bookingId, reason: 'SERVICE_DELIVERED' });
    // The inbox records the deferral as applied (the request row is its effect); no ledger event came of it.
    expect(await waitForHandled(platform.ledger.logs, completed.value.envelope.eventId, STEP_TIMEOUT_MS)).toEqual(['applied']);
    await waitForCommitPast(group, { topic: bookingTopic, partition: completed.partition, offset: completed.offset }, STEP_TIMEOUT_MS);
    await ledger.close();
    ledger = undefined;
    for (const fact of [authorized, captured]) expect(handledOutcomes(platform.ledger.logs, fact.value.envelope.eventId)).toEqual([]);
    expect((await platform.ledger.pool.query('SELECT count(*)::int AS n FROM outbox WHERE id > $1', [outboxBefore])).rows).toEqual([{ n: 0 }]);
    expect(await aggregatesOf(platform, bookingId, paymentId)).toMatchObject({ hold: [], escrow: [], entries: [], releaseRequests: { n: 1 } });

    // Second run: payment.events from where the ledger had stopped; booking.events has nothing new.
    await setGroupOffsets(group, paymentTopic, resumeAt, STEP_TIMEOUT_MS);
    ledger = await startLedgerAgain(platform);
    const holdPlaced = await step(bookingId, 'HoldPlaced');
    expect(holdPlaced.value).toMatchObject({ holdId: paymentId, statusAfter: 'PENDING', amount: { amountMinor: PRICE_MINOR } });
    expect(holdPlaced.value.envelope.causationId).toBe(authorized.value.envelope.eventId);
    const holdPosted = await step(bookingId, 'HoldPosted');
    expect(holdPosted.value).toMatchObject({ holdId: paymentId, statusBefore: 'PENDING', statusAfter: 'POSTED', postedAmount: { amountMinor: PRICE_MINOR } });
    await step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'CAPTURE_TO_ESCROW');
    // The capture took the deferred release: same transaction, caused by PaymentCaptured, entry id = BookingCompleted's event id.
    const released = await step(bookingId, 'EscrowReleased');
    expect(released.value).toMatchObject({ escrowId: paymentId, statusAfter: 'RELEASED', releasedAmount: { amountMinor: PRICE_MINOR }, merchantAmount: { amountMinor: MERCHANT_SHARE_MINOR }, platformFee: { amountMinor: FEE_MINOR } });
    expect(released.value.envelope.causationId).toBe(captured.value.envelope.eventId);
    const releaseEntry = await step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'ESCROW_RELEASE');
    expect(releaseEntry.value.entryId).toBe(completed.value.envelope.eventId);
    for (const fact of [authorized, captured]) expect(await waitForHandled(platform.ledger.logs, fact.value.envelope.eventId, STEP_TIMEOUT_MS)).toEqual(['applied']);

    // Nothing applied twice: each fact handled once over both runs, each ledger event once.
    expect(handledOutcomes(platform.ledger.logs, completed.value.envelope.eventId)).toEqual(['applied']);
    const inbox = await platform.ledger.pool.query('SELECT event_type, outcome FROM inbox WHERE event_id = ANY($1::uuid[]) ORDER BY event_type', [[authorized, captured, completed].map((fact) => fact.value.envelope.eventId)]);
    expect(inbox.rows).toEqual([
      { event_type: 'BookingCompleted', outcome: 'applied' },
      { event_type: 'PaymentAuthorized', outcome: 'applied' },
      { event_type: 'PaymentCaptured', outcome: 'applied' },
    ]);
    for (const type of ['HoldPlaced', 'HoldPosted', 'EscrowReleased']) expect(countOf(bookingId, type)).toBe(1);
    // As a set: entries are keyed by entry id, so the two may sit on different partitions and reach the reader in either order.
    expect(platform.sagaOf(bookingId).filter((event) => event.eventType === 'EntryPosted').map((event) => String(event.value.entryType)).sort()).toEqual(['CAPTURE_TO_ESCROW', 'ESCROW_RELEASE']);
    expect(countOf(bookingId, 'LedgerRejected')).toBe(0);

    expect(await aggregatesOf(platform, bookingId, paymentId)).toEqual(completedSaga());
    await expectLedgerVerifiesClean();
    expect(await intentsOf(paymentId)).toEqual([[String(authorized.value.pspPaymentIntentId), 'succeeded', Number(PRICE_MINOR)]]);
    expect(routeDelta(routesBefore, platform.proxyStats().forwarded_by_route)).toEqual({ [CREATE_INTENT]: 1, [CAPTURE_INTENT]: 1 });
  }, SAGA_TEST_TIMEOUT_MS);
});
