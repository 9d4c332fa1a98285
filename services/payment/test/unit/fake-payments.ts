import { randomUUID } from 'node:crypto';
import type { Actor, Envelope } from '@txn/contracts';
import type { UnappliedRecord } from '@txn/nest-messaging';
import { createPayment, recordAuthorizationResult, type Payment, type PspCall } from '@txn/payment-domain';
import type { SqlTransaction } from '@txn/sql';
import { paymentIdOf } from '../../src/application/payment-id';
import type { ClaimedCall, PaymentIndexes, Payments, PspCalls, StoredPayment } from '../../src/application/ports';
import type { AuthorizationSearch, AuthorizeRequest, IntentListing, IntentView, ListedRefund, PaymentServiceProvider, PspAnswer, PspFailure, RefundView } from '../../src/application/psp-port';
import type { Money } from '@txn/money';

/** Calls the fake hands out were asked for outside any trace. */
const NO_TRACE = { traceparent: null, tracestate: null } as const;

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
  /** What the next park of stuck queries answers (then nothing). */
  stuck: string[] = [];

  claimDueQueries(): Promise<string[]> {
    return Promise.resolve(this.due.splice(0));
  }

  parkStuckQueries(): Promise<string[]> {
    return Promise.resolve(this.stuck.splice(0));
  }

  flagNeedsAttention(_tx: SqlTransaction, paymentId: string): Promise<void> {
    const row = this.rows.get(paymentId);
    if (row !== undefined) this.rows.set(paymentId, { ...row, indexes: { ...row.indexes, needsAttention: true } });
    return Promise.resolve();
  }

  findIdByPspObject(_tx: SqlTransaction, ids: { readonly pspPaymentIntentId: string | null; readonly pspChargeId: string | null }): Promise<string | undefined> {
    const found = [...this.rows.values()].find(({ stored }) => (ids.pspPaymentIntentId !== null && stored.payment.pspPaymentIntentId === ids.pspPaymentIntentId) || (ids.pspChargeId !== null && stored.payment.pspChargeId === ids.pspChargeId));
    return Promise.resolve(found?.stored.payment.paymentId);
  }
}

/** A row of the fake work list: what psp_calls holds. */
export interface FakeCallRow {
  readonly paymentId: string;
  readonly call: PspCall;
  attempts: number;
  available_ms: number;
  parked: boolean;
  lastError: string | null;
}

/** The PSP call work list in memory, with its claim, lease, retries and parking; `failRecording` makes the record step throw. */
export class FakePspCalls implements PspCalls {
  readonly enqueued: { paymentId: string; call: PspCall; causedByEventId: string | null }[] = [];
  readonly rows = new Map<string, FakeCallRow>();
  /** When set, removing an answered call (the recording transaction's first write) throws this. */
  failRecording: Error | undefined;

  enqueue(_tx: SqlTransaction, paymentId: string, calls: readonly PspCall[], causedByEventId: string | null): Promise<void> {
    this.enqueued.push(...calls.map((call) => ({ paymentId, call, causedByEventId })));
    for (const call of calls) {
      const existing = this.rows.get(call.idempotencyKey);
      this.rows.set(call.idempotencyKey, existing === undefined ? { paymentId, call, attempts: 0, available_ms: 0, parked: false, lastError: null } : { ...existing, available_ms: 0 });
    }
    return Promise.resolve();
  }

  claim(_tx: SqlTransaction, now: Date, limit: number, lease_ms: number, maxAttempts: number): Promise<ClaimedCall[]> {
    const due = [...this.rows.values()].filter((row) => !row.parked && row.available_ms <= now.getTime() && row.attempts < maxAttempts).slice(0, limit);
    return Promise.resolve(
      due.map((row) => {
        row.attempts += 1;
        row.available_ms = now.getTime() + lease_ms;
        return { paymentId: row.paymentId, call: row.call, attempts: row.attempts, causedByEventId: null, traceContext: NO_TRACE };
      }),
    );
  }

  complete(_tx: SqlTransaction, idempotencyKey: string): Promise<void> {
    if (this.failRecording !== undefined) return Promise.reject(this.failRecording);
    this.rows.delete(idempotencyKey);
    return Promise.resolve();
  }

  retryLater(_tx: SqlTransaction, idempotencyKey: string, error: string, retryAt: Date): Promise<void> {
    const row = this.rows.get(idempotencyKey);
    if (row !== undefined && !row.parked) Object.assign(row, { lastError: error, available_ms: retryAt.getTime() });
    return Promise.resolve();
  }

  park(_tx: SqlTransaction, idempotencyKey: string, error: string): Promise<void> {
    const row = this.rows.get(idempotencyKey);
    if (row !== undefined) Object.assign(row, { lastError: error, parked: true });
    return Promise.resolve();
  }

  parkExhausted(_tx: SqlTransaction, now: Date, maxAttempts: number, limit: number, reason: string): Promise<ClaimedCall[]> {
    const exhausted = [...this.rows.values()].filter((row) => !row.parked && row.available_ms <= now.getTime() && row.attempts >= maxAttempts).slice(0, limit);
    for (const row of exhausted) Object.assign(row, { parked: true, lastError: reason });
    return Promise.resolve(exhausted.map((row) => ({ paymentId: row.paymentId, call: row.call, attempts: row.attempts, causedByEventId: null, traceContext: NO_TRACE })));
  }

  hasParked(_tx: SqlTransaction, paymentId: string): Promise<boolean> {
    return Promise.resolve([...this.rows.values()].some((row) => row.paymentId === paymentId && row.parked));
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

/** A payment just created at `now`: its authorization asked for, not answered yet. Tests on the wall clock pass theirs: the create window is judged by it. */
export function pendingPayment(bookingId = randomUUID(), now = NOW): Payment {
  const created = createPayment({ paymentId: paymentIdOf(bookingId), bookingId, tenantId: TENANT, amount: { amountMinor: 12_000n, currency: 'EUR' }, feeTerms: { bps: 1_000, rule: 'DEFAULT_RATE/HALF_UP', scheduleVersion: 'fs-test' } }, { now, actor: PAYMENT_SERVICE });
  if (created.outcome !== 'applied') throw new Error('createPayment refused');
  return created.state;
}

/** When the fake PSP authorized, and when it says that authorization lapses (its capture_before). */
export const PSP_AUTHORIZED_AT = new Date('2026-12-02T09:59:58Z');
export const PSP_CAPTURE_BEFORE = new Date('2026-12-09T09:59:58Z');

/** A PSP whose every answer the test sets; it records what it was asked. */
export class FakePsp implements PaymentServiceProvider {
  readonly asked: string[] = [];
  intent: IntentView = {
    id: 'pi_1',
    status: 'requires_capture',
    amount: { amountMinor: 12_000n, currency: 'EUR' },
    chargeId: null,
    actionType: null,
    lastError: null,
    authorizedAt: PSP_AUTHORIZED_AT,
    captureBefore: PSP_CAPTURE_BEFORE,
    paymentId: null,
  };
  /** What listRefunds answers. */
  refunds: ListedRefund[] = [];
  failure: PspFailure | undefined;
  /** What a search for an authorization finds: the intent, or nothing. */
  searchFinds: 'intent' | 'nothing' | 'several' = 'intent';
  /** When set, authorize throws this (a bug in an adapter, not an answer of the PSP). */
  authorizeThrows: Error | undefined;

  private answer<T>(what: string, value: T): Promise<PspAnswer<T>> {
    this.asked.push(what);
    return Promise.resolve(this.failure === undefined ? { ok: true, value } : { ok: false, failure: this.failure });
  }
  authorize(request: AuthorizeRequest): Promise<PspAnswer<IntentView>> {
    if (this.authorizeThrows !== undefined) {
      this.asked.push(`authorize ${request.idempotencyKey}`);
      return Promise.reject(this.authorizeThrows);
    }
    return this.answer(`authorize ${request.idempotencyKey}`, this.intent);
  }
  findAuthorization(search: AuthorizationSearch): Promise<PspAnswer<IntentView>> {
    const what = `findAuthorization ${search.paymentId} ${search.createdFrom.toISOString()}..${search.createdTo.toISOString()}`;
    if (this.searchFinds !== 'intent' && this.failure === undefined) {
      this.asked.push(what);
      return Promise.resolve({ ok: false, failure: this.searchFinds === 'nothing' ? { kind: 'not_found' } : { kind: 'several_intents', intentIds: ['pi_1', 'pi_2'] } });
    }
    return this.answer(what, this.intent);
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
  listIntents(): Promise<PspAnswer<IntentListing>> {
    return this.answer('listIntents', { intents: [], pages: 1 });
  }
  listRefunds(intentId: string): Promise<PspAnswer<readonly ListedRefund[]>> {
    return this.answer(`listRefunds ${intentId}`, this.refunds);
  }
  findRefund(intentId: string, refundId: string): Promise<PspAnswer<RefundView>> {
    return this.answer(`findRefund ${intentId} ${refundId}`, { id: 're_1', status: 'succeeded', failureReason: null });
  }
}
