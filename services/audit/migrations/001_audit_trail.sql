-- The audit trail (docs/decisions/0035-audit-trail.md): one record per state change, hash-chained
-- per tenant. Append-only in the database itself: the running role may only INSERT and SELECT
-- (grants.sql), and the triggers below refuse UPDATE, DELETE and TRUNCATE even for the owner.
CREATE TABLE audit_records (
  -- Insertion order; verification walks a chain by (seq, record_id), so a second record claiming a
  -- place already taken comes after the first and is named.
  record_id          bigserial   PRIMARY KEY,
  chain_id           text        NOT NULL,
  seq                bigint      NOT NULL CHECK (seq >= 1),
  prev_hash          text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash               text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  event_id           uuid        NOT NULL,
  action             text        NOT NULL,
  producer           text        NOT NULL,
  source_topic       text        NOT NULL,
  source_partition   integer     NOT NULL,
  source_offset      bigint      NOT NULL,
  occurred_at        timestamptz NOT NULL,
  recorded_at        timestamptz NOT NULL,
  tenant_id          text        NOT NULL,
  actor_type         text        NOT NULL,
  actor_id           text        NOT NULL,
  aggregate_type     text        NOT NULL,
  aggregate_id       text        NOT NULL,
  aggregate_version  bigint      NOT NULL,
  status_before      text        NULL,
  status_after       text        NULL,
  reason             text        NULL,
  -- The event's other fields as JSON, personal data withheld; hashed with the rest (canonically).
  changes            jsonb       NOT NULL,
  correlation_id     text        NOT NULL,
  causation_id       text        NULL,
  trace_id           text        NULL,
  CONSTRAINT audit_records_one_per_event UNIQUE (event_id),
  CONSTRAINT audit_records_one_per_place UNIQUE (chain_id, seq)
);
CREATE INDEX audit_records_by_aggregate ON audit_records (aggregate_id, occurred_at);
CREATE INDEX audit_records_by_correlation ON audit_records (correlation_id, occurred_at);
CREATE INDEX audit_records_by_actor ON audit_records (actor_type, actor_id, occurred_at);
CREATE INDEX audit_records_by_tenant ON audit_records (tenant_id, occurred_at);

-- The chain heads the service announced on audit.checkpoints.v1 (that topic, kept for ever, is the
-- copy verification trusts; this one says what was announced already).
CREATE TABLE audit_checkpoints (
  checkpoint_id  bigserial   PRIMARY KEY,
  chain_id       text        NOT NULL,
  seq            bigint      NOT NULL CHECK (seq >= 1),
  head_hash      text        NOT NULL CHECK (head_hash ~ '^[0-9a-f]{64}$'),
  taken_at       timestamptz NOT NULL
);
CREATE INDEX audit_checkpoints_by_chain ON audit_checkpoints (chain_id, seq DESC);

-- Archiving (docs/runbooks/audit-archive.md): a DBA exports a chain's oldest records, then, as the
-- owner and with the triggers disabled in that one transaction, removes them and writes here
-- where the chain now starts; verification starts its walk from that record's hash.
CREATE TABLE audit_archives (
  chain_id       text        NOT NULL,
  up_to_seq      bigint      NOT NULL CHECK (up_to_seq >= 1),
  last_hash      text        NOT NULL CHECK (last_hash ~ '^[0-9a-f]{64}$'),
  location       text        NOT NULL,
  archived_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chain_id, up_to_seq)
);

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege', HINT = 'see docs/runbooks/audit-archive.md for archiving';
END
$$;

CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_archives_append_only BEFORE UPDATE OR DELETE ON audit_archives FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_archives_no_truncate BEFORE TRUNCATE ON audit_archives FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The checkpoint run looks for heads among the records written since its last run.
CREATE INDEX audit_records_by_recorded ON audit_records (recorded_at);
