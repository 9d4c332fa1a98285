import { randomUUID } from 'node:crypto';
import type { Actor, Envelope } from '@txn/contracts';
import type { UnappliedRecord } from '@txn/nest-messaging';
import { createPayment, recordAuthorizationResult, type Payment, type PspCall } from '@txn/payment-domain';
import type { SqlTransaction } from '@txn/sql';
import { paymentIdOf } from '../../src/application/payment-id';
import type { ClaimedCall, PaymentIndexes, Payments, PspCalls, StoredPayment } from '../../src/application/ports';
import type { AuthorizeRequest, IntentView, PaymentServiceProvider, PspAnswer, PspFailure, RefundView } from '../../src/application/psp-port';
import type { Money } from '@txn/money';

// Typed fakes for payment's unit specs: the ports in memory.

export const NOW = new Date('2026-12-02T10:00:00Z');
export const TENANT = 'merchant-1';
export const PAYMENT_SERVICE: Actor = { type: 'SERVICE', id: 'payment' };
export const BOOKING_SERVICE: Actor = { type: 'SERVICE', id: 'booking' };
export const TX: SqlTransaction = { query: () => Promise.reject(new Error('a fake port runs no SQL')) };

export class FakePayments implements Payments {
  readonly rows = new Map<string, { stored: StoredPayment; indexes: PaymentIndexes }>();
  readonly unapplied: UnappliedRecord[] = [];

  put(payment: Payment): StoredPayment {
    const stored = { payment, customerId: 'customer-1', paymentMethod: 'pm_card_visa' };
    this.rows.set(payment.paymentId, { stored, indexes: { queryDueAt: null, needsAttention: false } });
    return stored;
  }

  lockForUpdate(_tx: SqlTransaction, paymentId: string): Promise<StoredPayment | undefined> {
    return Promise.resolve(this.rows.get(paymentId)?.stored);
  }

  insert(_tx: SqlTransaction, stored: StoredPayment, indexes: PaymentIndexes): Promise<void> {
    if (this.rows.has(stored.payment.paymentId)) throw new Error(`payment ${stored.payment.paymentId} exists`);
    this.rows.set(stored.payment.paymentId, { stored, indexes });
    return Promise.resolve();
  }

  update(_tx: SqlTransaction, stored: StoredPayment, previousVersion: bigint, indexes: PaymentIndexes): Promise<void> {
    const row = this.rows.get(stored.payment.paymentId);
    if (row === undefined || row.stored.payment.version !== previousVersion) throw new Error(`payment ${stored.payment.paymentId}: stored version ${previousVersion} not found`);
    this.rows.set(stored.payment.paymentId, { stored, indexes });
    return Promise.resolve();
  }

  recordUnapplied(_tx: SqlTransaction, record: UnappliedRecord): Promise<void> {
    this.unapplied.push(record);
    return Promise.resolve();
  }

  /** What the next claim of due queries answers (then nothing). */
  due: string[] = [];

  claimDueQueries(): Promise<string[]> {
    return Promise.resolve(this.due.splice(0));
  }
}

export class FakePspCalls implements PspCalls {
  readonly enqueued: { paymentId: string; call: PspCall; causedByEventId: string | null }[] = [];

  enqueue(_tx: SqlTransaction, paymentId: string, calls: readonly PspCall[], causedByEventId: string | null): Promise<void> {
    this.enqueued.push(...calls.map((call) => ({ paymentId, call, causedByEventId })));
    return Promise.resolve();
  }

  claim(): Promise<ClaimedCall[]> {
    return Promise.resolve([]);
  }

  complete(): Promise<void> {
    return Promise.resolve();
  }

  defer(): Promise<void> {
    return Promise.resolve();
  }
}

export function envelope(eventType: string, aggregateId: string, actor: Actor = BOOKING_SERVICE, tenantId = TENANT): Envelope {
  return { eventId: randomUUID(), eventType, occurredAt: NOW, producer: 'booking', aggregateId, aggregateVersion: 1n, correlationId: aggregateId, causationId: null, actor, tenantId };
}

/** The booking's payment, authorized at the PSP for EUR 120.00. */
export function authorizedPayment(bookingId = randomUUID()): Payment {
  const created = createPayment({ paymentId: paymentIdOf(bookingId), bookingId, tenantId: TENANT, amount: { amountMinor: 12_000n, currency: 'EUR' }, feeTerms: { bps: 1_000, rule: 'DEFAULT_RATE/HALF_UP', scheduleVersion: 'fs-test' } }, { now: NOW, actor: PAYMENT_SERVICE });
  if (created.outcome !== 'applied') throw new Error('createPayment refused');
  const authorized = recordAuthorizationResult(
    created.state,
    { kind: 'authorized', via: 'PSP_RESPONSE', pspPaymentIntentId: 'pi_1', authorizedAmount: { amountMinor: 12_000n, currency: 'EUR' }, authorizationExpiresAt: null, authorizedAt: null },
    { now: NOW, actor: PAYMENT_SERVICE },
  );
  if (authorized.outcome !== 'applied') throw new Error('recordAuthorizationResult refused');
  return authorized.state;
}

/** A payment just created: its authorization asked for, not answered yet. */
export function pendingPayment(bookingId = randomUUID()): Payment {
  const created = createPayment({ paymentId: paymentIdOf(bookingId), bookingId, tenantId: TENANT, amount: { amountMinor: 12_000n, currency: 'EUR' }, feeTerms: { bps: 1_000, rule: 'DEFAULT_RATE/HALF_UP', scheduleVersion: 'fs-test' } }, { now: NOW, actor: PAYMENT_SERVICE });
  if (created.outcome !== 'applied') throw new Error('createPayment refused');
  return created.state;
}

/** A PSP whose every answer the test sets; it records what it was asked. */
export class FakePsp implements PaymentServiceProvider {
  readonly asked: string[] = [];
  intent: IntentView = { id: 'pi_1', status: 'requires_capture', amount: { amountMinor: 12_000n, currency: 'EUR' }, chargeId: null, actionType: null, lastError: null };
  failure: PspFailure | undefined;

  private answer<T>(what: string, value: T): Promise<PspAnswer<T>> {
    this.asked.push(what);
    return Promise.resolve(this.failure === undefined ? { ok: true, value } : { ok: false, failure: this.failure });
  }
  authorize(request: AuthorizeRequest): Promise<PspAnswer<IntentView>> {
    return this.answer(`authorize ${request.idempotencyKey}`, this.intent);
  }
  capture(intentId: string, _amount: Money, idempotencyKey: string): Promise<PspAnswer<IntentView>> {
    return this.answer(`capture ${intentId} ${idempotencyKey}`, this.intent);
  }
  cancel(intentId: string, idempotencyKey: string): Promise<PspAnswer<IntentView>> {
    return this.answer(`cancel ${intentId} ${idempotencyKey}`, this.intent);
  }
  retrieve(intentId: string): Promise<PspAnswer<IntentView>> {
    return this.answer(`retrieve ${intentId}`, this.intent);
  }
  refund(intentId: string, _amount: Money, refundId: string): Promise<PspAnswer<RefundView>> {
    return this.answer(`refund ${intentId} ${refundId}`, { id: 're_1', status: 'succeeded', failureReason: null });
  }
  findRefund(intentId: string, refundId: string): Promise<PspAnswer<RefundView>> {
    return this.answer(`findRefund ${intentId} ${refundId}`, { id: 're_1', status: 'succeeded', failureReason: null });
  }
}
