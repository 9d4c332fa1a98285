import type { SqlTransaction } from '@txn/sql';
import { eventFacts, type ProjectionOutcome, type RecordPosition } from '../../read-models/event-facts';
import { upsertView, type Patch } from '../../read-models/upsert-view';
import { attentionChange, type AttentionChange, type PaymentEvent } from './payment-patches';

/** How each change moves the attention flag; run only after the event was applied (a stale one changes nothing). */
const ATTENTION_SQL: Readonly<Record<AttentionChange, string>> = {
  'outcome-unknown': `attention = CASE WHEN attention = 'PAYMENT_DISPUTED' THEN attention ELSE 'PAYMENT_OUTCOME_UNKNOWN' END,
                      attention_since = CASE WHEN attention = 'PAYMENT_DISPUTED' THEN attention_since ELSE $3 END`,
  'refund-failed': `attention = CASE WHEN attention = 'PAYMENT_DISPUTED' THEN attention ELSE 'PAYMENT_REFUND_FAILED' END,
                    attention_since = CASE WHEN attention = 'PAYMENT_DISPUTED' THEN attention_since ELSE $3 END`,
  'refund-succeeded': `attention = CASE WHEN attention = 'PAYMENT_DISPUTED' THEN attention ELSE NULL END,
                       attention_since = CASE WHEN attention = 'PAYMENT_DISPUTED' THEN attention_since ELSE NULL END`,
  disputed: `attention = 'PAYMENT_DISPUTED', attention_since = $3`,
  'moved-on': `attention = CASE WHEN attention = 'PAYMENT_OUTCOME_UNKNOWN' THEN NULL ELSE attention END,
               attention_since = CASE WHEN attention = 'PAYMENT_OUTCOME_UNKNOWN' THEN NULL ELSE attention_since END`,
};

/** One payment event onto its row (payment's aggregateVersion orders them), then its attention flag. */
export async function projectPaymentEvent<E extends PaymentEvent>(tx: SqlTransaction, event: E, fields: (event: E) => Patch, position: RecordPosition | null): Promise<ProjectionOutcome> {
  const facts = { ...eventFacts(event.envelope, position), aggregateId: event.paymentId };
  const patch: Patch = { status: event.statusAfter, reason: event.reason, booking_id: event.bookingId, ...fields(event) };
  const outcome = await upsertView(tx, 'payment', facts, patch);
  if (outcome === 'applied') {
    await tx.query(`UPDATE payment_views SET ${ATTENTION_SQL[attentionChange(event.envelope.eventType)]} WHERE merchant_id = $1 AND payment_id = $2 AND ($3::timestamptz IS NOT NULL)`, [
      facts.merchantId,
      facts.aggregateId,
      facts.occurredAt,
    ]);
  }
  return outcome;
}
