-- bench/webhooks/README.md: the ingress spent its time on round trips (seven per delivery: BEGIN,
-- the advisory lock, the dedup read, three inserts, COMMIT). The same work as one function call:
-- one statement is one transaction, so the delivery, the dedup row and the outbox row still commit
-- together or not at all, and the answer still waits for that commit.
--
-- The dedup decision is serialised per PSP event by a transaction-scoped advisory lock on its id;
-- each statement of a VOLATILE PL/pgSQL function takes a fresh snapshot, so the read after the
-- lock sees a concurrent first delivery that committed while we waited (decision 0027).
-- The outbox row is the one libs/outbox's appendToOutbox would write (its columns, given whole).
CREATE FUNCTION store_webhook_delivery(
  p_received_at timestamptz, p_provider text, p_account text, p_source_kind text, p_secret_id text, p_source_address text,
  p_psp_event_id text, p_psp_event_type text, p_headers jsonb, p_body bytea,
  p_psp_object_type text, p_psp_object_id text, p_psp_created_at timestamptz, p_livemode boolean,
  p_outbox_event_id uuid, p_outbox_topic text, p_outbox_key text, p_outbox_event_type text, p_outbox_value bytea,
  p_outbox_headers jsonb, p_traceparent text, p_tracestate text
) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
DECLARE
  v_first boolean;
  v_delivery_id bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_provider || ':' || p_psp_event_id, 7));
  v_first := NOT EXISTS (SELECT 1 FROM psp_events WHERE provider = p_provider AND psp_event_id = p_psp_event_id);
  INSERT INTO webhook_deliveries (received_at, provider, account, source_kind, verified_secret_id, source_address, psp_event_id, psp_event_type, first_delivery, headers, body)
  VALUES (p_received_at, p_provider, p_account, p_source_kind, p_secret_id, p_source_address, p_psp_event_id, p_psp_event_type, v_first, p_headers, p_body)
  RETURNING delivery_id INTO v_delivery_id;
  IF NOT v_first THEN
    RETURN false;
  END IF;
  INSERT INTO psp_events (provider, psp_event_id, psp_event_type, psp_object_type, psp_object_id, psp_created_at, livemode, published, first_delivery)
  VALUES (p_provider, p_psp_event_id, p_psp_event_type, p_psp_object_type, p_psp_object_id, p_psp_created_at, p_livemode, p_outbox_event_id IS NOT NULL, v_delivery_id);
  IF p_outbox_event_id IS NOT NULL THEN
    INSERT INTO outbox (event_id, topic, message_key, event_type, value, headers, traceparent, tracestate)
    VALUES (p_outbox_event_id, p_outbox_topic, p_outbox_key, p_outbox_event_type, p_outbox_value, p_outbox_headers, p_traceparent, p_tracestate);
  END IF;
  RETURN true;
END;
$$;
REVOKE ALL ON FUNCTION store_webhook_delivery(timestamptz, text, text, text, text, text, text, text, jsonb, bytea, text, text, timestamptz, boolean, uuid, text, text, text, bytea, jsonb, text, text) FROM PUBLIC;
