import type { Pool } from 'pg';
import { uuidV5 } from '@txn/domain-kernel';
import { waitFor } from '@txn/testing';

/** The ingress' envelope ids: UUID v5 of `stripe:<PSP event id>` (services/webhook-ingress, psp-event-received.ts). */
const PSP_EVENT_ID_NAMESPACE = '3d0b7f5e-2c1a-4e8b-9f6d-5a4c3b2e1d0f';
/** How long the bench waits for payment to have taken in every stored event. */
const DRAIN_TIMEOUT_MS = 180_000;

export interface AppliedFigures {
  readonly events: number;
  readonly applied: number;
  /** From the ingress storing the event (its transaction's time) to payment's inbox row (its handling transaction's time), both PostgreSQL's clock. */
  readonly stored_to_applied_ms: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  /** From the first event stored to the last one applied. */
  readonly drain_ms: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * How long each webhook the ingress stored took to be applied by payment: relay, Kafka, payment's
 * consumer and its handling transaction. Waits (bounded) until payment's inbox holds every event
 * the ingress published, then pairs each event's two times.
 */
export async function storedToApplied(ingress: Pool, payment: Pool): Promise<AppliedFigures> {
  const { rows: stored } = await ingress.query<{ psp_event_id: string; stored_ms: string }>("SELECT psp_event_id, (extract(epoch FROM first_seen_at) * 1000)::text AS stored_ms FROM psp_events WHERE published AND provider = 'stripe'");
  const storedAt = new Map(stored.map((row) => [uuidV5(PSP_EVENT_ID_NAMESPACE, `stripe:${row.psp_event_id}`), Number(row.stored_ms)]));
  const ids = [...storedAt.keys()];
  const applied = await waitFor(
    `payment to apply all ${ids.length} stored events`,
    async () => {
      const { rows } = await payment.query<{ event_id: string; handled_ms: string }>('SELECT event_id::text, (extract(epoch FROM handled_at) * 1000)::text AS handled_ms FROM inbox WHERE event_id = ANY($1::uuid[])', [ids]);
      return rows.length >= ids.length ? rows : undefined;
    },
    DRAIN_TIMEOUT_MS,
    500,
  );
  const latencies = applied.map((row) => Number(row.handled_ms) - (storedAt.get(row.event_id) ?? Number.NaN)).filter((ms) => Number.isFinite(ms)).sort((a, b) => a - b);
  const first = Math.min(...storedAt.values());
  const last = Math.max(...applied.map((row) => Number(row.handled_ms)));
  const round = (ms: number): number => Math.round(ms);
  return {
    events: ids.length,
    applied: latencies.length,
    stored_to_applied_ms: { p50: round(percentile(latencies, 0.5)), p90: round(percentile(latencies, 0.9)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1) ?? Number.NaN) },
    drain_ms: round(last - first),
  };
}
