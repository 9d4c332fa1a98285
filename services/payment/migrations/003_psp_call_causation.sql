-- The event that asked for a PSP call (BookingHeld for an authorization, BookingConfirmed for a
-- capture, BookingCancelled for a void or refund). The event recording the PSP's answer names it as
-- its causationId, so the audit trail links "the booking was held" to "the card was authorized"
-- across the call, which happens after that event's transaction and outside any consumer.
-- NULL for calls enqueued before this migration and for calls no message asked for.
ALTER TABLE psp_calls ADD COLUMN caused_by_event_id uuid NULL;
