import type { PaymentRefunded, PaymentRefundFailed, PaymentRefundRejected } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import { SCOPE_TRANSACTION_SQL, scopeParameters } from '../persistence/tenant-transactions';
import { changeKey, READ_MODEL_CHANNEL } from './changes-channel';
import type { ProjectionOutcome, RecordPosition } from './event-facts';
import type { RefundViewStatus } from './refund-view.entity';

/** How an event settles a refund: its end status and what it adds to the row. */
export interface Settlement {
  readonly status: Exclude<RefundViewStatus, 'PENDING'>;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly pspRefundId: string | null;
  readonly failureCode: string | null;
  readonly rejection: { readonly code: string; readonly detail: string; readonly refundableMinor: bigint } | null;
}

type RefundEvent = PaymentRefunded | PaymentRefundFailed | PaymentRefundRejected;

/** PaymentRefunded: the PSP gave the money back. */
export function refundSucceeded(event: PaymentRefunded): Settlement {
  return { status: 'SUCCEEDED', amountMinor: event.refundedAmount.amountMinor, currency: event.refundedAmount.currency, pspRefundId: event.pspRefundId, failureCode: null, rejection: null };
}

/** PaymentRefundFailed: the PSP refused it; the customer is still owed the money (payment flags it for a person). */
export function refundFailed(event: PaymentRefundFailed): Settlement {
  return { status: 'FAILED', amountMinor: event.requestedAmount.amountMinor, currency: event.requestedAmount.currency, pspRefundId: null, failureCode: event.failureCode, rejection: null };
}

/** PaymentRefundRejected: payment refused the command by its rules; nothing was asked of the PSP. */
export function refundRejected(event: PaymentRefundRejected): Settlement {
  const rejection = { code: event.code, detail: event.detail, refundableMinor: event.refundableAmount.amountMinor };
  return { status: 'REJECTED', amountMinor: event.requestedAmount.amountMinor, currency: event.requestedAmount.currency, pspRefundId: null, failureCode: null, rejection };
}

/**
 * A refund's end, onto its row: the PENDING row the API wrote is settled (once: an end is final, a
 * redelivered or late event changes nothing), and a refund the API never asked for (a cancellation
 * by policy, a PSP dashboard) enters settled. The row's version counts its changes; the commit
 * NOTIFYs whoever waits on it.
 */
export async function settleRefund(tx: SqlTransaction, event: RefundEvent, settled: Settlement, position: RecordPosition | null): Promise<ProjectionOutcome> {
  const { envelope } = event;
  await tx.query(SCOPE_TRANSACTION_SQL, scopeParameters({ kind: 'tenant', tenantId: envelope.tenantId }));
  const rows = await tx.query<{ version: string }>(
    `INSERT INTO refund_views (merchant_id, refund_id, payment_id, booking_id, status, amount_minor, currency, reason, psp_refund_id, failure_code,
                               rejection_code, rejection_detail, refundable_minor, version, last_event_id, last_event_type, last_event_at,
                               last_topic, last_partition, last_offset, applied_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $15, $16, $17, $18, $19, now(), $16, $16)
     ON CONFLICT (merchant_id, refund_id) DO UPDATE SET
       status = EXCLUDED.status, psp_refund_id = EXCLUDED.psp_refund_id, failure_code = EXCLUDED.failure_code,
       rejection_code = EXCLUDED.rejection_code, rejection_detail = EXCLUDED.rejection_detail, refundable_minor = EXCLUDED.refundable_minor,
       version = refund_views.version + 1, last_event_id = EXCLUDED.last_event_id, last_event_type = EXCLUDED.last_event_type,
       last_event_at = EXCLUDED.last_event_at, last_topic = EXCLUDED.last_topic, last_partition = EXCLUDED.last_partition,
       last_offset = EXCLUDED.last_offset, applied_at = now(), updated_at = EXCLUDED.updated_at
     WHERE refund_views.status = 'PENDING'
     RETURNING version`,
    [
      envelope.tenantId,
      event.refundId,
      event.paymentId,
      event.bookingId,
      settled.status,
      settled.amountMinor.toString(),
      settled.currency,
      event.reason,
      settled.pspRefundId,
      settled.failureCode,
      settled.rejection?.code ?? null,
      settled.rejection?.detail ?? null,
      settled.rejection?.refundableMinor.toString() ?? null,
      envelope.eventId,
      envelope.eventType,
      envelope.occurredAt,
      position?.topic ?? null,
      position?.partition ?? null,
      position?.offset ?? null,
    ],
  );
  const version = rows[0]?.version;
  if (version === undefined) return 'stale';
  await tx.query('SELECT pg_notify($1, $2)', [READ_MODEL_CHANNEL, `${changeKey('refund', envelope.tenantId, event.refundId)}|${version}`]);
  return 'applied';
}
