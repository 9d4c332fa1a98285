-- The hold-expiry sweeper's query: pending holds whose deadline passed, oldest first. Partial, so
-- it holds only what may still lapse (closed holds and holds without a deadline are left out).
CREATE INDEX holds_pending_expiry_idx ON holds (expires_at) WHERE status = 'PENDING' AND expires_at IS NOT NULL;
