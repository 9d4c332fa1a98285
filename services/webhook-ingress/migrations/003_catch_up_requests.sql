-- A catch-up asked for by `./platform ingress catch-up --since …`: the running ingress (any
-- instance) claims it, reads the PSP's event list with its own PSP client, feeds each event through
-- the same store as a webhook (deduplicated the same way) and records what it found.
CREATE TABLE catch_up_requests (
  request_id uuid PRIMARY KEY,
  provider text NOT NULL,
  since timestamptz NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  claimed_until timestamptz NULL,
  -- Bounded: a request whose runs keep dying is not claimed a fourth time (it stays unanswered, visible).
  claims integer NOT NULL DEFAULT 0 CHECK (claims >= 0),
  answered_at timestamptz NULL,
  -- The run's report (since, pages, fetched, stored, known, unreadable, complete, resumeAfter?).
  report jsonb NULL,
  CHECK ((answered_at IS NULL) = (report IS NULL))
);
CREATE INDEX catch_up_requests_open_idx ON catch_up_requests (requested_at) WHERE answered_at IS NULL;
