-- The W3C trace context of the transaction that asked for a PSP call (the consumer's span of the
-- message that decided it). The dispatcher makes the call later, outside that transaction; it
-- continues this trace, so one booking's trace shows its PSP call and what the answer caused.
-- NULL for calls enqueued before this migration or outside any trace.
ALTER TABLE psp_calls ADD COLUMN traceparent text NULL, ADD COLUMN tracestate text NULL;
