import type { EmailTemplateName } from '@txn/notification-domain';
import type { SqlTransaction } from '@txn/sql';
import type { CustomerBooking, CustomerEmails, DueEmail, EmailFacts, EmailNext, NewEmail } from '../application/ports';

async function recordBooking(tx: SqlTransaction, booking: CustomerBooking): Promise<void> {
  await tx.query(
    `INSERT INTO customer_bookings (booking_id, tenant_id, customer_id, email, resource_id, slot_start, slot_end, price_minor, currency)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (booking_id) DO NOTHING`,
    [booking.bookingId, booking.tenantId, booking.customerId, booking.email, booking.resourceId, booking.slotStart, booking.slotEnd, booking.price.minor.toString(), booking.price.currency],
  );
}

async function addressOf(tx: SqlTransaction, bookingId: string): Promise<'has-address' | 'no-address' | 'unknown'> {
  const [row] = await tx.query<{ has_address: boolean }>('SELECT email IS NOT NULL AS has_address FROM customer_bookings WHERE booking_id = $1', [bookingId]);
  if (row === undefined) return 'unknown';
  return row.has_address ? 'has-address' : 'no-address';
}

async function enqueue(tx: SqlTransaction, email: NewEmail): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO email_messages (message_id, booking_id, tenant_id, template, facts, status, next_attempt_at) VALUES ($1, $2, $3, $4, $5, 'PENDING', now()) ON CONFLICT DO NOTHING RETURNING 1`,
    [email.messageId, email.bookingId, email.tenantId, email.template, JSON.stringify(email.facts)],
  );
  return rows.length === 1;
}

interface DueRow {
  message_id: string;
  booking_id: string;
  tenant_id: string;
  template: EmailTemplateName;
  facts: EmailFacts;
  attempts: number;
  first_attempt_at: Date | null;
  customer_id: string | null;
  email: string | null;
  resource_id: string | null;
  slot_start: Date | null;
  slot_end: Date | null;
  price_minor: string | null;
  currency: string | null;
}

function dueOf(row: DueRow): DueEmail {
  const known = row.customer_id !== null && row.resource_id !== null && row.slot_start !== null && row.slot_end !== null && row.price_minor !== null && row.currency !== null;
  return {
    messageId: row.message_id,
    bookingId: row.booking_id,
    tenantId: row.tenant_id,
    template: row.template,
    facts: row.facts,
    attempts: row.attempts,
    firstAttemptAt: row.first_attempt_at,
    booking: known
      ? { bookingId: row.booking_id, tenantId: row.tenant_id, customerId: row.customer_id ?? '', email: row.email, resourceId: row.resource_id ?? '', slotStart: row.slot_start ?? new Date(0), slotEnd: row.slot_end ?? new Date(0), price: { minor: BigInt(row.price_minor ?? '0'), currency: row.currency ?? '' } }
      : undefined,
  };
}

// Oldest first; a lease (not a lock held over SMTP) so a crashed instance's messages are sent by another.
async function leaseDue(tx: SqlTransaction, instance: string, limit: number, lease_ms: number): Promise<DueEmail[]> {
  const rows = await tx.query<DueRow>(
    `WITH leased AS (
       UPDATE email_messages SET lease_owner = $1, leased_until = now() + make_interval(secs => $3::double precision / 1000)
        WHERE message_id IN (SELECT message_id FROM email_messages WHERE status = 'PENDING' AND next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())
                              ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING message_id, booking_id, tenant_id, template, facts, attempts, first_attempt_at, next_attempt_at)
     SELECT l.*, b.customer_id, b.email, b.resource_id, b.slot_start, b.slot_end, b.price_minor, b.currency
       FROM leased l LEFT JOIN customer_bookings b USING (booking_id) ORDER BY l.next_attempt_at`,
    [instance, limit, lease_ms],
  );
  return rows.map(dueOf);
}

async function recordAttempt(tx: SqlTransaction, email: DueEmail, next: EmailNext, attemptedAt: Date, instance: string): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE email_messages SET status = $3, attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, $4), next_attempt_at = COALESCE($5, next_attempt_at),
       smtp_response = $6, last_error = $7, sent_at = CASE WHEN $3 = 'SENT' THEN $4 ELSE sent_at END, lease_owner = NULL, leased_until = NULL
      WHERE message_id = $1 AND lease_owner = $2 RETURNING 1`,
    [email.messageId, instance, next.status, attemptedAt, next.status === 'PENDING' ? next.nextAttemptAt : null, next.status === 'SENT' ? next.smtpResponse.slice(0, 500) : null, next.status === 'SENT' ? null : next.error],
  );
  return rows.length === 1;
}

/** The customers' emails' SQL behind the application's port. */
export const customerEmailStore: CustomerEmails = { recordBooking, addressOf, enqueue, leaseDue, recordAttempt };
