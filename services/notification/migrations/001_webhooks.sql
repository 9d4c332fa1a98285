-- Merchant webhooks (docs/decisions/0036-merchant-webhook-delivery.md): the notification service's
-- own copy of the merchants' endpoints (from WebhookEndpointChanged on security.events.v1), one
-- delivery per (endpoint, event), and the log of every attempt.
CREATE TABLE webhook_endpoints (
  endpoint_id                  uuid        PRIMARY KEY,
  merchant_id                  text        NOT NULL,
  url                          text        NOT NULL,
  event_types                  text[]      NOT NULL,
  -- As the merchant set it through the gateway (the event's status).
  merchant_status              text        NOT NULL CHECK (merchant_status IN ('ENABLED', 'DISABLED')),
  -- The aggregate version of the last change applied: an older change is stale.
  version                      bigint      NOT NULL,
  secret_version               integer     NOT NULL CHECK (secret_version >= 1),
  previous_secret_valid_until  timestamptz NULL,
  -- The first failed attempt since the last success; null while healthy.
  failing_since                timestamptz NULL,
  last_error                   text        NULL,
  -- Set when this service stopped delivering (failing for too long); cleared when the merchant enables it again.
  auto_disabled_at             timestamptz NULL,
  last_success_at              timestamptz NULL,
  -- One instance delivers to an endpoint at a time, in order; a lease, not a lock held over HTTP.
  lease_owner                  text        NULL,
  leased_until                 timestamptz NULL,
  updated_at                   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_by_merchant ON webhook_endpoints (merchant_id);

CREATE TABLE webhook_deliveries (
  -- UUID v5 of `<endpoint>:<event>`: one delivery per endpoint and event, however often the event is read.
  delivery_id        uuid        PRIMARY KEY,
  -- Order of deliveries to one endpoint: the head (smallest pending) goes first.
  delivery_seq       bigserial   NOT NULL UNIQUE,
  endpoint_id        uuid        NOT NULL REFERENCES webhook_endpoints (endpoint_id),
  merchant_id        text        NOT NULL,
  event_id           uuid        NOT NULL,
  event_type         text        NOT NULL,
  object_type        text        NOT NULL,
  object_id          text        NOT NULL,
  object_version     bigint      NOT NULL,
  occurred_at        timestamptz NOT NULL,
  -- The exact body sent, the same on every attempt (the signature covers it with its timestamp).
  payload            text        NOT NULL,
  status             text        NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'GAVE_UP')),
  -- Every attempt made; the round counts the attempts of the current retry budget (a re-enable or a replay starts a new one).
  attempts           integer     NOT NULL DEFAULT 0,
  round_attempts     integer     NOT NULL DEFAULT 0,
  round_started_at   timestamptz NULL,
  next_attempt_at    timestamptz NOT NULL,
  last_status_code   integer     NULL,
  last_error         text        NULL,
  delivered_at       timestamptz NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_deliveries_one_per_event UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, delivery_seq) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (merchant_id, created_at);

CREATE TABLE webhook_delivery_attempts (
  delivery_id        uuid        NOT NULL REFERENCES webhook_deliveries (delivery_id),
  attempt            integer     NOT NULL CHECK (attempt >= 1),
  started_at         timestamptz NOT NULL,
  latency_ms         integer     NOT NULL,
  -- SUCCEEDED, HTTP_ERROR, TIMEOUT, CONNECTION_ERROR, ADDRESS_REFUSED.
  outcome            text        NOT NULL,
  status_code        integer     NULL,
  error              text        NULL,
  -- The first bytes of the receiver's answer (bounded), for the merchant's debugging.
  response_excerpt   text        NULL,
  instance           text        NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);
