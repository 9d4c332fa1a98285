import type { PaymentStatus } from './payment';

/**
 * Reconciliation of the PSP's PaymentIntents with our payments, for a window of creation times.
 * Pure: the service lists both sides (to their end, or the run fails) and acts on the findings —
 * a finding the PSP's state can fix asks the payment for a sync (the normal event path, so the
 * ledger follows); the others stay breaks for a person.
 */

/** A PaymentIntent as the PSP lists it. */
export interface PspIntentRecord {
  readonly pspPaymentIntentId: string;
  /** Our metadata.payment_id; null when the intent is not ours. */
  readonly paymentId: string | null;
  readonly status: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** What its charge has given back (0 before capture). */
  readonly refundedMinor: bigint;
  readonly createdAt: Date;
}

/** A payment as we hold it. */
export interface PaymentRecord {
  readonly paymentId: string;
  readonly tenantId: string;
  readonly status: PaymentStatus;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly pspPaymentIntentId: string | null;
  /** Refunds the PSP confirmed to us. */
  readonly refundedMinor: bigint;
  /** A call is under way: its answer will move the payment; not judged in this run. */
  readonly callInFlight: boolean;
}

export type ReconBreakKind = 'MISSING_IN_PAYMENTS' | 'MISSING_AT_PSP' | 'AMOUNT_MISMATCH' | 'CURRENCY_MISMATCH' | 'STATUS_MISMATCH' | 'DUPLICATE';

export interface ReconFinding {
  readonly kind: ReconBreakKind;
  readonly paymentId: string | null;
  readonly tenantId: string | null;
  /** The PSP object the finding is about (the intent; our payment id when the PSP has none). */
  readonly pspObjectId: string;
  readonly detail: string;
  /** `SYNC`: applying the PSP's state through the normal path settles it. */
  readonly fix: 'SYNC' | null;
}

export interface ReconOutcome {
  readonly findings: readonly ReconFinding[];
  /** Payments both sides agree on: breaks still open about them are explained. */
  readonly agreeing: readonly string[];
  /** Payments with a call in flight, left for the next run. */
  readonly inFlight: readonly string[];
}

/** The payment statuses each PSP intent status agrees with. */
const AGREES: Readonly<Record<string, readonly PaymentStatus[]>> = {
  requires_action: ['REQUIRES_ACTION'],
  requires_capture: ['AUTHORIZED', 'CAPTURE_FAILED'],
  succeeded: ['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED'],
  canceled: ['VOIDED', 'FAILED'],
  requires_payment_method: ['FAILED'],
};
/** Payments that may have no intent at the PSP at all: a create that never arrived, or was refused before one existed. */
const MAY_HAVE_NO_INTENT: ReadonlySet<PaymentStatus> = new Set(['PENDING', 'OUTCOME_UNKNOWN', 'FAILED']);

function compare(intent: PspIntentRecord, payment: PaymentRecord, findings: ReconFinding[]): boolean {
  const about = { paymentId: payment.paymentId, tenantId: payment.tenantId, pspObjectId: intent.pspPaymentIntentId };
  if (intent.currency.toUpperCase() !== payment.currency) {
    findings.push({ ...about, kind: 'CURRENCY_MISMATCH', detail: `the PSP's intent is in ${intent.currency.toUpperCase()}, the payment in ${payment.currency}`, fix: null });
    return false;
  }
  if (intent.amountMinor !== payment.amountMinor) {
    findings.push({ ...about, kind: 'AMOUNT_MISMATCH', detail: `the PSP's intent is for ${intent.amountMinor}, the payment for ${payment.amountMinor}`, fix: null });
    return false;
  }
  if (!(AGREES[intent.status] ?? []).includes(payment.status)) {
    findings.push({ ...about, kind: 'STATUS_MISMATCH', detail: `the PSP's intent is ${intent.status}, the payment ${payment.status}`, fix: 'SYNC' });
    return false;
  }
  if (intent.refundedMinor !== payment.refundedMinor) {
    findings.push({ ...about, kind: 'STATUS_MISMATCH', detail: `the PSP has refunded ${intent.refundedMinor}, the payment knows of ${payment.refundedMinor}`, fix: 'SYNC' });
    return false;
  }
  return true;
}

/**
 * Every intent of the window against the payments, and every payment of the window against the
 * intents: matched by our metadata, never by amount or time. What only one side has, what the two
 * sides state differently, and an intent twice for one payment are findings.
 */
export function reconcilePayments(listed: readonly PspIntentRecord[], payments: readonly PaymentRecord[], window: { readonly from: Date; readonly to: Date }): ReconOutcome {
  const findings: ReconFinding[] = [];
  const agreeing: string[] = [];
  const inFlight: string[] = [];
  const byId = new Map(payments.map((payment) => [payment.paymentId, payment]));
  // The PSP is listed a little wider than the window (its clock and ours differ, and an intent is
  // created just after we ask): an intent outside the window counts only for a payment inside it.
  const inWindow = (intent: PspIntentRecord): boolean => intent.createdAt.getTime() >= window.from.getTime() && intent.createdAt.getTime() <= window.to.getTime();
  const intents = listed.filter((intent) => inWindow(intent) || (intent.paymentId !== null && byId.has(intent.paymentId)));
  const intentsOf = new Map<string, PspIntentRecord[]>();
  for (const intent of intents) {
    const payment = intent.paymentId === null ? undefined : byId.get(intent.paymentId);
    if (payment === undefined) {
      findings.push({ kind: 'MISSING_IN_PAYMENTS', paymentId: null, tenantId: null, pspObjectId: intent.pspPaymentIntentId, detail: `the PSP's intent (${intent.status}, ${intent.amountMinor} ${intent.currency.toUpperCase()}) names no payment of ours${intent.paymentId === null ? '' : ` (metadata ${intent.paymentId})`}`, fix: null });
      continue;
    }
    intentsOf.set(payment.paymentId, [...(intentsOf.get(payment.paymentId) ?? []), intent]);
  }
  for (const payment of payments) {
    const found = intentsOf.get(payment.paymentId) ?? [];
    if (payment.callInFlight) {
      inFlight.push(payment.paymentId);
      continue;
    }
    if (found.length > 1) {
      findings.push({ kind: 'DUPLICATE', paymentId: payment.paymentId, tenantId: payment.tenantId, pspObjectId: found.map((intent) => intent.pspPaymentIntentId).sort().join(','), detail: `${found.length} intents at the PSP for one payment`, fix: null });
      continue;
    }
    const [intent] = found;
    if (intent === undefined) {
      if (!MAY_HAVE_NO_INTENT.has(payment.status) || payment.pspPaymentIntentId !== null) {
        findings.push({ kind: 'MISSING_AT_PSP', paymentId: payment.paymentId, tenantId: payment.tenantId, pspObjectId: payment.pspPaymentIntentId ?? payment.paymentId, detail: `the payment is ${payment.status} and the PSP lists no intent of it in the window`, fix: null });
      } else {
        agreeing.push(payment.paymentId);
      }
      continue;
    }
    if (payment.pspPaymentIntentId !== null && payment.pspPaymentIntentId !== intent.pspPaymentIntentId) {
      findings.push({ kind: 'DUPLICATE', paymentId: payment.paymentId, tenantId: payment.tenantId, pspObjectId: intent.pspPaymentIntentId, detail: `the payment names intent ${payment.pspPaymentIntentId}, the PSP lists ${intent.pspPaymentIntentId} with its metadata`, fix: null });
      continue;
    }
    if (compare(intent, payment, findings)) agreeing.push(payment.paymentId);
  }
  return { findings, agreeing, inFlight };
}
