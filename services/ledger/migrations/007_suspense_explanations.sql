-- docs/decisions/0031-explaining-suspense.md
--
-- A person explains a break: says where the money it booked to SUSPENSE belongs (or, for a break
-- that booked nothing, why it is not a problem). `./platform ledger explain` writes the request; a
-- running ledger instance answers it (FOR UPDATE SKIP LOCKED: instances answer side by side, each
-- request once) by posting one adjusting entry out of SUSPENSE and marking the break EXPLAINED, in
-- the transaction that writes the EntryPosted to the outbox. The answer stays with the request.
CREATE TABLE suspense_explanation_requests (
  request_id    uuid        PRIMARY KEY,
  break_id      text        NOT NULL CHECK (length(break_id) BETWEEN 1 AND 100),
  -- NULL: the break booked nothing to SUSPENSE, there is no money to move.
  target_code   text        NULL CHECK (length(target_code) BETWEEN 1 AND 40),
  explained_by  text        NOT NULL CHECK (length(btrim(explained_by)) BETWEEN 1 AND 200),
  reason        text        NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 1000),
  requested_at  timestamptz NOT NULL DEFAULT now(),
  -- Failed attempts (the database, not the domain, refused): after three the request is answered FAILED.
  attempts      integer     NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 3),
  answered_at   timestamptz NULL,
  outcome       text        NULL CHECK (outcome IN ('EXPLAINED', 'ALREADY_EXPLAINED', 'REFUSED', 'FAILED')),
  entry_id      uuid        NULL,
  detail        text        NULL,
  CHECK ((answered_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX suspense_explanation_requests_unanswered_idx ON suspense_explanation_requests (requested_at) WHERE answered_at IS NULL;

-- Who explained a break, and the adjusting entry that cleared its suspense (NULL when none was needed).
ALTER TABLE breaks ADD COLUMN explained_by text NULL;
ALTER TABLE breaks ADD COLUMN explanation_entry_id uuid NULL REFERENCES journal_entries (entry_id);
ALTER TABLE breaks ADD CONSTRAINT breaks_explained_by CHECK ((status = 'EXPLAINED') = (explained_by IS NOT NULL));
