-- Customers' emails (BOOKING_HELD, BOOKING_CONFIRMED, BOOKING_CANCELLED, PAYMENT_REFUNDED): what
-- a booking's messages are rendered from, and one message per (event, template), sent at least
-- once over SMTP with a stable Message-ID.
CREATE TABLE customer_bookings (
  booking_id     uuid        PRIMARY KEY,
  tenant_id      text        NOT NULL,
  customer_id    text        NOT NULL,
  -- Personal data (x-sensitive in BookingHeld); null when the booking gave none (then no email).
  email          text        NULL,
  resource_id    text        NOT NULL,
  slot_start     timestamptz NOT NULL,
  slot_end       timestamptz NOT NULL,
  price_minor    bigint      NOT NULL,
  currency       text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE email_messages (
  -- UUID v5 of `<event>:<template>`: one message per moment, however often the event is read.
  message_id        uuid        PRIMARY KEY,
  booking_id        uuid        NOT NULL,
  tenant_id         text        NOT NULL,
  template          text        NOT NULL CHECK (template IN ('BOOKING_HELD', 'BOOKING_CONFIRMED', 'BOOKING_CANCELLED', 'PAYMENT_REFUNDED')),
  -- What the moment adds to the booking (amounts, reason); never personal data.
  facts             jsonb       NOT NULL,
  status            text        NOT NULL CHECK (status IN ('PENDING', 'SENT', 'GAVE_UP')),
  attempts          integer     NOT NULL DEFAULT 0,
  first_attempt_at  timestamptz NULL,
  next_attempt_at   timestamptz NOT NULL,
  lease_owner       text        NULL,
  leased_until      timestamptz NULL,
  smtp_response     text        NULL,
  last_error        text        NULL,
  sent_at           timestamptz NULL,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_messages_due ON email_messages (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX email_messages_by_booking ON email_messages (booking_id);
