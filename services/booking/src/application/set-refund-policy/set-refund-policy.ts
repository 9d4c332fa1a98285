import { assertValidRefundPolicy, type RefundPolicy } from '@txn/booking-domain';
import type { RefundPolicySet, RefundTier, SetRefundPolicy } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';

/** How the use case publishes RefundPolicySet (the outbox, in the inbox transaction). */
export interface RefundPolicyEvents {
  publish(tx: SqlTransaction, event: RefundPolicySet): Promise<void>;
}

export interface SetRefundPolicyOutcome {
  readonly outcome: 'applied' | 'rejected';
  /** Why it was refused, or the policy's version now. */
  readonly detail: string;
}

/** Who may set a tenant's terms: the merchant itself or the platform; a customer (USER) never. */
const MAY_SET = new Set(['API_KEY', 'SERVICE', 'SYSTEM']);

interface StoredPolicy extends RefundPolicy {
  readonly version: bigint;
}

function policyOf(command: Pick<SetRefundPolicy, 'tiers' | 'otherwiseBp'>): RefundPolicy {
  return { tiers: command.tiers.map((tier) => ({ minNotice_ms: Number(tier.minNoticeMs), refund_bp: tier.refundBp })), otherwise_bp: command.otherwiseBp };
}

function tiersOf(policy: RefundPolicy): RefundTier[] {
  return policy.tiers.map((tier) => ({ minNoticeMs: BigInt(tier.minNotice_ms), refundBp: tier.refund_bp }));
}

/** The refusal of a command, or null: the actor may not, or the terms are malformed (checked by the domain's own rule). */
export function refusalOf(command: SetRefundPolicy): string | null {
  if (!MAY_SET.has(command.envelope.actor.type)) return `ACTOR_NOT_ALLOWED: ${command.envelope.actor.type} may not set refund terms`;
  try {
    assertValidRefundPolicy(policyOf(command));
  } catch (error) {
    return `INVALID_POLICY: ${(error as Error).message}`;
  }
  return null;
}

async function lockedPolicy(tx: SqlTransaction, tenantId: string): Promise<StoredPolicy | null> {
  const rows = await tx.query<{ tiers: RefundPolicy['tiers']; otherwise_bp: number; version: string }>('SELECT tiers, otherwise_bp, version FROM refund_policies WHERE tenant_id = $1 FOR UPDATE', [tenantId]);
  const row = rows[0];
  return row === undefined ? null : { tiers: row.tiers, otherwise_bp: row.otherwise_bp, version: BigInt(row.version) };
}

/**
 * SetRefundPolicy: the tenant's terms replaced under the row's lock, the version bumped, and
 * RefundPolicySet (before and after) published in the same transaction. Bookings already made keep
 * the terms copied onto them. Two tenants' commands never touch the same row; one tenant's are
 * keyed by the tenant, so they arrive in order.
 */
export async function setRefundPolicy(tx: SqlTransaction, command: SetRefundPolicy, dependencies: { readonly events: RefundPolicyEvents; readonly producer: string; readonly now: Date }): Promise<SetRefundPolicyOutcome> {
  const refusal = refusalOf(command);
  if (refusal !== null) return { outcome: 'rejected', detail: refusal };
  const { envelope } = command;
  const before = await lockedPolicy(tx, envelope.tenantId);
  const policy = policyOf(command);
  const version = (before?.version ?? 0n) + 1n;
  const by = `${envelope.actor.type}:${envelope.actor.id}`;
  await tx.query(
    `INSERT INTO refund_policies (tenant_id, tiers, otherwise_bp, version, updated_by, reason, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (tenant_id) DO UPDATE SET tiers = EXCLUDED.tiers, otherwise_bp = EXCLUDED.otherwise_bp, version = EXCLUDED.version,
       updated_by = EXCLUDED.updated_by, reason = EXCLUDED.reason, updated_at = EXCLUDED.updated_at`,
    [envelope.tenantId, JSON.stringify(policy.tiers), policy.otherwise_bp, version.toString(), by, command.reason, dependencies.now],
  );
  await dependencies.events.publish(tx, {
    envelope: {
      // Derived from the command: a redelivered command that decides again is the same event.
      eventId: envelope.eventId,
      eventType: 'RefundPolicySet',
      occurredAt: dependencies.now,
      producer: dependencies.producer,
      aggregateId: envelope.tenantId,
      aggregateVersion: version,
      correlationId: envelope.correlationId,
      causationId: envelope.eventId,
      actor: envelope.actor,
      tenantId: envelope.tenantId,
    },
    tiers: tiersOf(policy),
    otherwiseBp: policy.otherwise_bp,
    previousTiers: before === null ? null : tiersOf(before),
    previousOtherwiseBp: before?.otherwise_bp ?? null,
    reason: command.reason,
  });
  return { outcome: 'applied', detail: `version ${version}` };
}
