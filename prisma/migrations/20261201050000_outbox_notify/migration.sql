-- Wakes outbox relays at commit instead of at their next poll. A statement-level trigger, so every writer of
-- outbox_events (recordBusinessEvent(s), bulk imports, raw SQL) notifies without a round trip of its own; NOTIFY
-- is delivered only when the writing transaction commits (never for a rollback) and identical notifications of
-- one transaction are folded into one. Listeners: src/interfaces/webhooks/worker-runtime.ts.
CREATE FUNCTION "outbox_events_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox_events', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "outbox_events_notify" AFTER INSERT ON "outbox_events" FOR EACH STATEMENT EXECUTE FUNCTION "outbox_events_notify"();
