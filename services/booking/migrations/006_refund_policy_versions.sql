-- Refund policies are set through the API now (SetRefundPolicy on booking.commands.v1, decision
-- 0034): each change bumps the version RefundPolicySet carries, and names who made it and why.
ALTER TABLE refund_policies ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE refund_policies ADD COLUMN updated_by text;
ALTER TABLE refund_policies ADD COLUMN reason text;
