-- Hold expiry grace (docs/saga.md, "Holds and late authorizations"; decision 0016). An
-- authorization is judged by when it happened, not when booking consumes it, so the HOLD stage
-- ends a grace after the hold expires: the deadline stored for HOLD is now hold_expires_at +
-- BOOKING_HOLD_EXPIRY_GRACE_MS (default 15 min), fixed when the booking is held, and the expiry
-- sweeper expires a hold only once that has passed. The overdue_sagas view and the
-- booking_sagas_overdue gauge read the same deadline, so a hold in its grace is not overdue.

-- Bookings held before this migration: SQL cannot see the service's settings, so they get the
-- default grace (as migration 003 gave the default deadlines).
UPDATE bookings SET deadline_at = hold_expires_at + interval '15 minutes'
 WHERE deadline_stage = 'HOLD' AND deadline_at = hold_expires_at;

-- The sweeper scans by the stored deadline now; the scan by hold_expires_at is no longer used.
DROP INDEX IF EXISTS bookings_held_expiry_idx;
CREATE INDEX bookings_hold_deadline_idx ON bookings (deadline_at) WHERE deadline_stage = 'HOLD';
