import type { BookingRelease, FeeRule, FeeTerms, InFlightCall, OutcomeQuery, Payment, PspSync, Refund, UnknownOutcome } from '@txn/payment-domain';
import { money, type Money } from '@txn/money';
import { unappliedMessagesIn } from '@txn/nest-messaging';
import type { SqlTransaction } from '@txn/sql';
import type { PaymentIndexes, Payments, StoredPayment } from '../application/ports';

interface PaymentRow {
  readonly payment_id: string;
  readonly booking_id: string;
  readonly tenant_id: string;
  readonly customer_id: string;
  readonly payment_method: string;
  readonly amount_minor: string;
  readonly currency: string;
  readonly fee_bps: number | null;
  readonly fee_rule: string | null;
  readonly fee_schedule_version: string | null;
  readonly status: Payment['status'];
  readonly version: string;
  readonly psp_payment_intent_id: string | null;
  readonly authorization_requested_at: Date;
  readonly authorized_minor: string | null;
  readonly authorized_at: Date | null;
  readonly authorization_expires_at: Date | null;
  readonly captured_minor: string | null;
  readonly psp_charge_id: string | null;
  readonly in_flight: JsonCall | null;
  readonly unknown_outcome: JsonUnknown | null;
  readonly booking_release: JsonRelease | null;
  readonly void_reason: string | null;
  readonly psp_sync: JsonSync | null;
  readonly dispute: JsonDispute | null;
}

interface RefundRow {
  readonly refund_id: string;
  readonly sequence: number;
  readonly amount_minor: string;
  readonly currency: string;
  readonly reason: string;
  readonly idempotency_key: string;
  readonly status: Refund['status'];
  readonly psp_refund_id: string | null;
  readonly requested_at: Date;
  readonly query: JsonQuery | null;
}

// JSON shapes: dates as ISO text, amounts as decimal text (bigint does not survive JSON).
interface JsonCall {
  readonly operation: InFlightCall['operation'];
  readonly idempotencyKey: string;
  readonly requestedAt: string;
}
interface JsonQuery {
  readonly since: string;
  readonly attempts: number;
  readonly nextQueryAt: string | null;
  readonly alertedAt: string | null;
}
interface JsonUnknown extends JsonQuery {
  readonly operation: UnknownOutcome['operation'];
  readonly idempotencyKey: string;
  readonly cause: string;
}
interface JsonSync extends JsonQuery {
  readonly cause: string;
  readonly requests: number;
  /** Absent in syncs stored before reconciliation could ask for them. */
  readonly via?: PspSync['via'];
}
interface JsonDispute {
  readonly pspDisputeId: string;
  readonly openedAt: string;
}
interface JsonRelease {
  readonly reason: string;
  readonly refundAmountMinor: string | null;
  readonly refundId: string;
}

const COLUMNS = `payment_id, booking_id, tenant_id, customer_id, payment_method, amount_minor, currency, status, version, psp_payment_intent_id,
  authorized_minor, authorization_expires_at, captured_minor, psp_charge_id, in_flight, unknown_outcome, booking_release, void_reason,
  fee_bps, fee_rule, fee_schedule_version`;
/** Written once, at creation (the insert's last value); never updated. */
const WRITTEN_ONCE = 'authorization_requested_at';
/**
 * What a load reads: the columns, and when the authorization was first asked for (a payment from
 * before migration 005 has none: its creation, which came before any attempt).
 */
const LOADED = `${COLUMNS}, authorized_at, psp_sync, dispute, COALESCE(authorization_requested_at, created_at) AS authorization_requested_at`;

const date = (text: string | null): Date | null => (text === null ? null : new Date(text));
const queryToJson = (query: OutcomeQuery): JsonQuery => ({
  since: query.since.toISOString(),
  attempts: query.attempts,
  nextQueryAt: query.nextQueryAt?.toISOString() ?? null,
  alertedAt: query.alertedAt?.toISOString() ?? null,
});
const queryFromJson = (json: JsonQuery): OutcomeQuery => ({ since: new Date(json.since), attempts: json.attempts, nextQueryAt: date(json.nextQueryAt), alertedAt: date(json.alertedAt) });

function amountOf(minor: string | null, currency: string): Money | null {
  return minor === null ? null : money(BigInt(minor), currency);
}

function toRefund(row: RefundRow): Refund {
  return {
    refundId: row.refund_id,
    sequence: row.sequence,
    amount: money(BigInt(row.amount_minor), row.currency),
    reason: row.reason,
    idempotencyKey: row.idempotency_key,
    status: row.status,
    pspRefundId: row.psp_refund_id,
    requestedAt: row.requested_at,
    query: row.query === null ? null : queryFromJson(row.query),
  };
}

/** Terms for a payment created before they were recorded with it (migration 004): the schedule in force now. */
export type LegacyFeeTerms = (tenantId: string) => FeeTerms;

function feeTermsOf(row: PaymentRow, legacy: LegacyFeeTerms): FeeTerms {
  if (row.fee_bps === null || row.fee_rule === null || row.fee_schedule_version === null) return legacy(row.tenant_id);
  // One of FeeRule: migration 004's CHECK constraint holds the column to the list.
  return { bps: row.fee_bps, rule: row.fee_rule as FeeRule, scheduleVersion: row.fee_schedule_version };
}

function toStored(row: PaymentRow, refunds: readonly RefundRow[], legacy: LegacyFeeTerms): StoredPayment {
  const release = row.booking_release;
  const unknown = row.unknown_outcome;
  const payment: Payment = {
    paymentId: row.payment_id,
    bookingId: row.booking_id,
    tenantId: row.tenant_id,
    amount: money(BigInt(row.amount_minor), row.currency),
    feeTerms: feeTermsOf(row, legacy),
    status: row.status,
    version: BigInt(row.version),
    pspPaymentIntentId: row.psp_payment_intent_id,
    authorizationRequestedAt: row.authorization_requested_at,
    authorizedAmount: amountOf(row.authorized_minor, row.currency),
    authorizedAt: row.authorized_at,
    authorizationExpiresAt: row.authorization_expires_at,
    capturedAmount: amountOf(row.captured_minor, row.currency),
    pspChargeId: row.psp_charge_id,
    inFlight: row.in_flight === null ? null : { operation: row.in_flight.operation, idempotencyKey: row.in_flight.idempotencyKey, requestedAt: new Date(row.in_flight.requestedAt) },
    unknown: unknown === null ? null : { ...queryFromJson(unknown), operation: unknown.operation, idempotencyKey: unknown.idempotencyKey, cause: unknown.cause },
    refunds: [...refunds].sort((a, b) => a.sequence - b.sequence).map(toRefund),
    bookingRelease: release === null ? null : { reason: release.reason, refundId: release.refundId, refundAmount: amountOf(release.refundAmountMinor, row.currency) },
    voidReason: row.void_reason,
    pspSync: row.psp_sync === null ? null : { ...queryFromJson(row.psp_sync), cause: row.psp_sync.cause, requests: row.psp_sync.requests, via: row.psp_sync.via ?? 'PSP_WEBHOOK' },
    dispute: row.dispute === null ? null : { pspDisputeId: row.dispute.pspDisputeId, openedAt: new Date(row.dispute.openedAt) },
  };
  return { payment, customerId: row.customer_id, paymentMethod: row.payment_method };
}

/** The payment, row-locked until the transaction ends: every decision on it is serialised. */
async function loadPaymentForUpdate(tx: SqlTransaction, paymentId: string, legacy: LegacyFeeTerms): Promise<StoredPayment | undefined> {
  const rows = await tx.query<PaymentRow>(`SELECT ${LOADED} FROM payments WHERE payment_id = $1 FOR UPDATE`, [paymentId]);
  const row = rows[0];
  if (row === undefined) return undefined;
  // Bounded by payment-domain's MAX_REFUNDS_PER_PAYMENT (20).
  const refunds = await tx.query<RefundRow>(
    'SELECT refund_id, sequence, amount_minor, currency, reason, idempotency_key, status, psp_refund_id, requested_at, query FROM refunds WHERE payment_id = $1 ORDER BY sequence LIMIT 21',
    [paymentId],
  );
  return toStored(row, refunds, legacy);
}

function paymentValues(stored: StoredPayment, indexes: PaymentIndexes): unknown[] {
  const { payment } = stored;
  const release: BookingRelease | null = payment.bookingRelease;
  const inFlight: JsonCall | null = payment.inFlight === null ? null : { ...payment.inFlight, requestedAt: payment.inFlight.requestedAt.toISOString() };
  const unknown: JsonUnknown | null =
    payment.unknown === null ? null : { ...queryToJson(payment.unknown), operation: payment.unknown.operation, idempotencyKey: payment.unknown.idempotencyKey, cause: payment.unknown.cause };
  const sync: PspSync | null = payment.pspSync;
  const syncJson: JsonSync | null = sync === null ? null : { ...queryToJson(sync), cause: sync.cause, requests: sync.requests, via: sync.via };
  const releaseJson: JsonRelease | null = release === null ? null : { reason: release.reason, refundId: release.refundId, refundAmountMinor: release.refundAmount?.amountMinor.toString() ?? null };
  return [
    payment.paymentId,
    payment.bookingId,
    payment.tenantId,
    stored.customerId,
    stored.paymentMethod,
    payment.amount.amountMinor.toString(),
    payment.amount.currency,
    payment.status,
    payment.version.toString(),
    payment.pspPaymentIntentId,
    payment.authorizedAmount?.amountMinor.toString() ?? null,
    payment.authorizationExpiresAt,
    payment.capturedAmount?.amountMinor.toString() ?? null,
    payment.pspChargeId,
    inFlight === null ? null : JSON.stringify(inFlight),
    unknown === null ? null : JSON.stringify(unknown),
    releaseJson === null ? null : JSON.stringify(releaseJson),
    payment.voidReason,
    payment.feeTerms.bps,
    payment.feeTerms.rule,
    payment.feeTerms.scheduleVersion,
    indexes.queryDueAt,
    indexes.needsAttention,
    payment.authorizedAt,
    syncJson === null ? null : JSON.stringify(syncJson),
    payment.dispute === null ? null : JSON.stringify({ pspDisputeId: payment.dispute.pspDisputeId, openedAt: payment.dispute.openedAt.toISOString() } satisfies JsonDispute),
  ];
}

async function insertPayment(tx: SqlTransaction, stored: StoredPayment, indexes: PaymentIndexes): Promise<void> {
  await tx.query(
    `INSERT INTO payments (${COLUMNS}, query_due_at, needs_attention, authorized_at, psp_sync, dispute, ${WRITTEN_ONCE})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)`,
    [...paymentValues(stored, indexes), stored.payment.authorizationRequestedAt],
  );
  await saveRefunds(tx, stored.payment);
}

/** The payment's new state; `previousVersion` must still be stored (the row lock guarantees it). */
async function updatePayment(tx: SqlTransaction, stored: StoredPayment, previousVersion: bigint, indexes: PaymentIndexes): Promise<void> {
  const rows = await tx.query(
    `UPDATE payments SET status = $8, version = $9, psp_payment_intent_id = $10, authorized_minor = $11, authorization_expires_at = $12,
       captured_minor = $13, psp_charge_id = $14, in_flight = $15, unknown_outcome = $16, booking_release = $17, void_reason = $18,
       query_due_at = $22, needs_attention = $23, authorized_at = $24, psp_sync = $25, dispute = $26, updated_at = now(),
       -- A stored decision is progress: the outcome poller's count of claims without one starts again.
       outcome_query_claims = 0,
       -- A payment from before migration 004 gets its terms recorded at its first change; after that they never change.
       fee_bps = $19, fee_rule = $20, fee_schedule_version = $21
     WHERE payment_id = $1 AND version = $27 AND booking_id = $2 AND tenant_id = $3 AND customer_id = $4 AND payment_method = $5
       AND amount_minor = $6 AND currency = $7
       AND (fee_bps IS NULL OR (fee_bps = $19 AND fee_rule = $20 AND fee_schedule_version = $21))
     RETURNING 1`,
    [...paymentValues(stored, indexes), previousVersion.toString()],
  );
  // A miss means the row changed under the lock or an immutable field was altered: a bug.
  if (rows.length !== 1) throw new Error(`payment ${stored.payment.paymentId}: stored version ${previousVersion} not found or immutable fields changed`);
  await saveRefunds(tx, stored.payment);
}

/** Refund rows follow the aggregate's list (at most 20); amounts and keys never change once written. */
async function saveRefunds(tx: SqlTransaction, payment: Payment): Promise<void> {
  for (const refund of payment.refunds) {
    await tx.query(
      `INSERT INTO refunds (payment_id, refund_id, sequence, amount_minor, currency, reason, idempotency_key, status, psp_refund_id, requested_at, query)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (payment_id, refund_id) DO UPDATE SET status = EXCLUDED.status, psp_refund_id = EXCLUDED.psp_refund_id, query = EXCLUDED.query, updated_at = now()
         WHERE refunds.amount_minor = EXCLUDED.amount_minor AND refunds.idempotency_key = EXCLUDED.idempotency_key`,
      [
        payment.paymentId,
        refund.refundId,
        refund.sequence,
        refund.amount.amountMinor.toString(),
        refund.amount.currency,
        refund.reason,
        refund.idempotencyKey,
        refund.status,
        refund.pspRefundId,
        refund.requestedAt,
        refund.query === null ? null : JSON.stringify(queryToJson(refund.query)),
      ],
    );
  }
}

/** Payments whose next outcome query is due, oldest first; claimed by pushing the due time out by `lease_ms` and counting the claim. */
async function claimDueQueries(tx: SqlTransaction, now: Date, limit: number, lease_ms: number, maxClaims: number): Promise<string[]> {
  const rows = await tx.query<{ payment_id: string }>(
    `UPDATE payments SET query_due_at = $2::timestamptz + make_interval(secs => $3::double precision / 1000), outcome_query_claims = outcome_query_claims + 1
     WHERE payment_id IN (
       SELECT payment_id FROM payments WHERE query_due_at <= $2 AND outcome_query_claims < $4 ORDER BY query_due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING payment_id`,
    [limit, now, lease_ms, maxClaims],
  );
  return rows.map((row) => row.payment_id);
}

/** Due payments claimed `maxClaims` times without a stored decision: no longer due, flagged for a person. */
async function parkStuckQueries(tx: SqlTransaction, now: Date, maxClaims: number, limit: number): Promise<string[]> {
  const rows = await tx.query<{ payment_id: string }>(
    `UPDATE payments SET query_due_at = NULL, needs_attention = true, updated_at = now()
     WHERE payment_id IN (
       SELECT payment_id FROM payments WHERE query_due_at <= $1 AND outcome_query_claims >= $2 ORDER BY query_due_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING payment_id`,
    [now, maxClaims, limit],
  );
  return rows.map((row) => row.payment_id);
}

async function flagNeedsAttention(tx: SqlTransaction, paymentId: string): Promise<void> {
  await tx.query('UPDATE payments SET needs_attention = true, updated_at = now() WHERE payment_id = $1', [paymentId]);
}

async function findIdByPspObject(tx: SqlTransaction, ids: { readonly pspPaymentIntentId: string | null; readonly pspChargeId: string | null }): Promise<string | undefined> {
  if (ids.pspPaymentIntentId === null && ids.pspChargeId === null) return undefined;
  const rows = await tx.query<{ payment_id: string }>(
    'SELECT payment_id FROM payments WHERE psp_payment_intent_id = $1 OR psp_charge_id = $2 ORDER BY created_at LIMIT 1',
    [ids.pspPaymentIntentId, ids.pspChargeId],
  );
  return rows[0]?.payment_id;
}

/** Why a message changed nothing, next to the inbox row that says it was handled. */
const recordUnapplied = unappliedMessagesIn('payment_id');

/** Payment's database behind the application's port. */
export function paymentStore(legacyFeeTerms: LegacyFeeTerms): Payments {
  return {
    lockForUpdate: (tx, paymentId) => loadPaymentForUpdate(tx, paymentId, legacyFeeTerms),
    insert: insertPayment,
    update: updatePayment,
    recordUnapplied,
    claimDueQueries,
    parkStuckQueries,
    flagNeedsAttention,
    findIdByPspObject,
  };
}
