import type { SqlTransaction } from '@txn/sql';
import type { UnappliedRecord } from './decided';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Writes an unapplied record into a service's `unapplied_messages` table — event id, type, the
 * aggregate it names (in the service's own column: booking_id, payment_id), outcome, reason,
 * status and actor — next to the inbox row that says the message was handled. A redelivery of the
 * same event writes nothing more.
 */
export function unappliedMessagesIn(aggregateColumn: string): (tx: SqlTransaction, record: UnappliedRecord) => Promise<void> {
  if (!IDENTIFIER.test(aggregateColumn)) throw new Error(`"${aggregateColumn}" is not a column name`);
  const statement = `INSERT INTO unapplied_messages (event_id, event_type, ${aggregateColumn}, outcome, reason, status, actor_type, actor_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_id) DO NOTHING`;
  return async (tx, { cause, subject, outcome, reason }) => {
    await tx.query(statement, [cause.eventId, cause.eventType, subject.aggregateId, outcome, reason, subject.status, cause.actor.type, cause.actor.id]);
  };
}
