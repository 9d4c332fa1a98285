import type { SqlTransaction } from '@txn/sql';
import type { ProjectedBooking, ProjectedLedgerBreak, ProjectedLedgerEntry, ReconProjections } from '../application/ports';

export const reconProjectionStore: ReconProjections = {
  async ledgerEntry(tx: SqlTransaction, line: ProjectedLedgerEntry): Promise<void> {
    await tx.query(
      `INSERT INTO recon_ledger_entries (entry_id, currency, payment_id, booking_id, tenant_id, entry_type, reverses_entry_id,
                                         clearing_debit_minor, clearing_credit_minor, suspense_debit_minor, suspense_credit_minor, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (entry_id, currency) DO NOTHING`,
      [line.entryId, line.currency, line.paymentId, line.bookingId, line.tenantId, line.entryType, line.reversesEntryId,
        line.clearingDebitMinor.toString(), line.clearingCreditMinor.toString(), line.suspenseDebitMinor.toString(), line.suspenseCreditMinor.toString(), line.occurredAt],
    );
  },
  async ledgerHold(tx: SqlTransaction, hold: { readonly holdId: string; readonly paymentId: string; readonly occurredAt: Date }): Promise<void> {
    await tx.query('INSERT INTO recon_ledger_holds (hold_id, payment_id, occurred_at) VALUES ($1, $2, $3) ON CONFLICT (hold_id) DO NOTHING', [hold.holdId, hold.paymentId, hold.occurredAt]);
  },
  async ledgerBreak(tx: SqlTransaction, raised: ProjectedLedgerBreak): Promise<void> {
    await tx.query(
      `INSERT INTO recon_ledger_breaks (break_id, payment_id, booking_id, tenant_id, kind, code, fact_event_type, reason, suspense_entry_id, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (break_id) DO NOTHING`,
      [raised.breakId, raised.paymentId, raised.bookingId, raised.tenantId, raised.kind, raised.code, raised.factEventType, raised.reason, raised.suspenseEntryId, raised.occurredAt],
    );
  },
  async booking(tx: SqlTransaction, booking: ProjectedBooking): Promise<void> {
    await tx.query(
      `INSERT INTO recon_bookings (booking_id, tenant_id, status, version, status_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (booking_id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version, status_at = EXCLUDED.status_at
        WHERE recon_bookings.version < EXCLUDED.version`,
      [booking.bookingId, booking.tenantId, booking.status, booking.version.toString(), booking.statusAt],
    );
  },
};
