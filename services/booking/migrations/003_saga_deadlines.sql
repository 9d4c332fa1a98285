-- Saga deadlines (docs/decisions/0013-saga-deadlines.md). Every live booking is in one stage with
-- a deadline fixed when it entered the stage: HOLD (HELD, hold_expires_at), CAPTURE (CONFIRMED,
-- capture not recorded: confirmed_at + capture deadline), COMPLETION (CONFIRMED, captured: slot end
-- + completion grace). The service computes the deadline with @txn/booking-domain's sagaDeadline
-- and stores it with every state change; the deadline watcher reads it here.
ALTER TABLE bookings
  ADD COLUMN confirmed_at         timestamptz NULL,
  ADD COLUMN deadline_stage       text        NULL CHECK (deadline_stage IN ('HOLD', 'CAPTURE', 'COMPLETION')),
  ADD COLUMN deadline_at          timestamptz NULL,
  -- Set when the watcher wrote BookingDeadlineReached to the outbox; cleared when the stage changes.
  -- A row past its deadline with this set is a timeout on its way (or stuck: see overdue_sagas).
  ADD COLUMN timeout_requested_at timestamptz NULL;

-- Rows written before this migration. SQL cannot see the service's settings: bookings confirmed
-- earlier get the default deadlines (1 h to capture, 72 h after the slot to complete). A CONFIRMED
-- row not yet captured was last changed by its confirmation, so updated_at is when it was confirmed.
UPDATE bookings SET confirmed_at = updated_at WHERE status = 'CONFIRMED';
UPDATE bookings SET deadline_stage = 'HOLD', deadline_at = hold_expires_at WHERE status = 'HELD';
UPDATE bookings SET deadline_stage = 'CAPTURE', deadline_at = confirmed_at + interval '1 hour' WHERE status = 'CONFIRMED' AND captured_minor IS NULL;
UPDATE bookings SET deadline_stage = 'COMPLETION', deadline_at = ends_at + interval '72 hours' WHERE status = 'CONFIRMED' AND captured_minor IS NOT NULL;

-- The database itself keeps "every saga has a deadline": a live booking always has one, a
-- finished one never, and a confirmed one knows when it was confirmed.
ALTER TABLE bookings
  ADD CONSTRAINT bookings_live_has_deadline CHECK ((status IN ('HELD', 'CONFIRMED')) = (deadline_stage IS NOT NULL)),
  ADD CONSTRAINT bookings_deadline_complete CHECK ((deadline_stage IS NULL) = (deadline_at IS NULL)),
  ADD CONSTRAINT bookings_confirmed_at_known CHECK (status <> 'CONFIRMED' OR confirmed_at IS NOT NULL);

-- The watcher's scan: deadlines it may still have to act on, oldest first. HOLD is the expiry
-- sweeper's (bookings_held_expiry_idx).
CREATE INDEX bookings_deadline_watch_idx ON bookings (deadline_at)
  WHERE deadline_stage IN ('CAPTURE', 'COMPLETION') AND timeout_requested_at IS NULL;
-- overdue_sagas and the booking_sagas_overdue gauge: every live deadline, by time.
CREATE INDEX bookings_deadline_idx ON bookings (deadline_at) WHERE deadline_stage IS NOT NULL;

-- Sagas past their deadline and not finished, most overdue first when ordered by deadline_at.
-- Normally a row stays here for about one interval of the sweeper (HOLD) or the watcher plus one
-- trip through Kafka (CAPTURE, COMPLETION); a row that stays longer is a stuck saga. With
-- timeout_requested_at set: the timeout was sent and not yet applied (booking's consumer behind,
-- or the command parked on the dead-letter topic: ./platform dlq list). `./platform sagas overdue`
-- prints it.
CREATE VIEW overdue_sagas AS
  SELECT booking_id,
         tenant_id,
         status,
         deadline_stage AS stage,
         deadline_at,
         floor(extract(epoch FROM (now() - deadline_at)) * 1000)::bigint AS overdue_ms,
         timeout_requested_at
    FROM bookings
   WHERE deadline_stage IS NOT NULL AND deadline_at < now();
