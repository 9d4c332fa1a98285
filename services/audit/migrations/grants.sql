-- What the running audit service (its runtime role, DATABASE_USER) may do in its database, and
-- nothing more; declared anew by the migration step after every run (decision 0015).
--   psql -v runtime_role=svc_audit -f services/audit/migrations/grants.sql

-- The trail is evidence: written once, read, never changed (the triggers refuse it even for the owner).
GRANT SELECT, INSERT ON audit_records TO :runtime_role;
GRANT USAGE ON SEQUENCE audit_records_record_id_seq TO :runtime_role;
GRANT SELECT, INSERT ON audit_checkpoints TO :runtime_role;
GRANT USAGE ON SEQUENCE audit_checkpoints_checkpoint_id_seq TO :runtime_role;
-- Written by a DBA when archiving (as the owner); read by verification.
GRANT SELECT ON audit_archives TO :runtime_role;
