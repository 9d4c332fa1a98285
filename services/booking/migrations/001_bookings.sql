-- Resources and bookings. Double booking is impossible in the database itself: the exclusion
-- constraint refuses two live bookings of one resource whose slots overlap, whatever the code
-- does and however many instances run. btree_gist (for `=` on text inside a GiST index) must be
-- installed by an administrator: the service's role may not create extensions (see
-- docs/decisions/0011-service-runtime.md). Fail here with that explanation rather than later.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gist') THEN
    RAISE EXCEPTION 'extension btree_gist is not installed in database %; the platform installs it as administrator (services component, or CREATE EXTENSION btree_gist as a superuser)', current_database();
  END IF;
END
$$;

-- A merchant's bookable thing (room, table, seat, instructor); capacity 1 per slot.
CREATE TABLE resources (
  tenant_id   text        NOT NULL,
  resource_id text        NOT NULL,
  name        text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, resource_id)
);

CREATE TABLE bookings (
  booking_id       uuid        PRIMARY KEY,
  tenant_id        text        NOT NULL,
  resource_id      text        NOT NULL,
  -- The slot is [starts_at, ends_at), half-open: back-to-back slots do not overlap. A rejected
  -- request is stored as asked (its slot may be empty or reversed); a live booking's is not.
  starts_at        timestamptz NOT NULL,
  ends_at          timestamptz NOT NULL,
  status           text        NOT NULL CHECK (status IN ('HELD', 'REJECTED', 'CONFIRMED', 'CANCELLED', 'EXPIRED', 'COMPLETED')),
  version          bigint      NOT NULL CHECK (version >= 0),
  hold_expires_at  timestamptz NOT NULL,
  customer_id      text        NOT NULL,
  -- Personal data (the contract marks it sensitive): never logged.
  customer_email   text        NULL,
  price_minor      bigint      NOT NULL,
  currency         text        NOT NULL,
  payment_id       text        NULL,
  authorized_minor bigint      NULL,
  captured_minor   bigint      NULL,
  refund_minor     bigint      NULL,
  delivered_at     timestamptz NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  -- No foreign key to resources: a rejected request may name an unknown resource (the handler
  -- checks that it exists, under a key-share lock, before holding).
  CONSTRAINT bookings_slot_not_empty CHECK (status = 'REJECTED' OR starts_at < ends_at),
  -- Live statuses: the slot is taken. The range is built only for rows the predicate admits.
  CONSTRAINT bookings_no_double_booking EXCLUDE USING gist (tenant_id WITH =, resource_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status IN ('HELD', 'CONFIRMED', 'COMPLETED'))
);

-- The expiry sweeper's scan: only live holds, oldest deadline first.
CREATE INDEX bookings_held_expiry_idx ON bookings (hold_expires_at) WHERE status = 'HELD';

-- Messages the aggregate refused (illegal command) or found stale (late, duplicate fact): the
-- inbox row says `rejected` / `stale`; this row says why, for people and audits.
CREATE TABLE unapplied_messages (
  event_id    uuid        PRIMARY KEY,
  event_type  text        NOT NULL,
  booking_id  text        NOT NULL,
  outcome     text        NOT NULL CHECK (outcome IN ('stale', 'rejected')),
  reason      text        NOT NULL,
  status      text        NULL,
  actor_type  text        NOT NULL,
  actor_id    text        NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unapplied_messages_booking_idx ON unapplied_messages (booking_id);
