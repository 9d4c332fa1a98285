import { randomUUID } from 'node:crypto';
import type { Actor, Envelope, PaymentAuthorized, PaymentCaptured } from '@txn/contracts';
import { zeroBalance, type AccountBalance, type Balances, type JournalEntry, type LedgerBreak } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import type { LedgerDeps } from '../../src/application/ledger-context';
import { ledgerDecisionStore, type LedgerDecided } from '../../src/application/ledger-decided';
import type { ChartAccount, LedgerBook, LedgerWrite, ReleaseRequest, StoredEscrow, StoredHold } from '../../src/application/ports';

// A typed fake of the ledger's port for its unit specs: the books in memory, written the way the
// store writes them (a row that exists already is a concurrent writer: it throws).

export const NOW = new Date('2026-12-02T10:00:00Z');
export const LEDGER: Actor = { type: 'SERVICE', id: 'ledger' };
export const TX: SqlTransaction = { query: () => Promise.reject(new Error('a fake port runs no SQL')) };
export const FEE_BPS = 250;

export class FakeLedgerBook implements LedgerBook {
  readonly holds = new Map<string, StoredHold>();
  readonly escrows = new Map<string, StoredEscrow>();
  readonly entries = new Map<string, JournalEntry>();
  readonly balances = new Map<string, AccountBalance>();
  readonly releaseRequests = new Map<string, ReleaseRequest>();
  readonly accounts = new Map<string, ChartAccount>();
  readonly breaks = new Map<string, LedgerBreak>();
  /** Payments locked, in order (a real store serialises on them). */
  readonly paymentLocks: string[] = [];

  lockPayment(_tx: SqlTransaction, paymentId: string): Promise<void> {
    this.paymentLocks.push(paymentId.toLowerCase());
    return Promise.resolve();
  }
  readBreak(_tx: SqlTransaction, breakId: string): Promise<LedgerBreak | undefined> {
    return Promise.resolve(this.breaks.get(breakId.toLowerCase()));
  }

  lockHold(_tx: SqlTransaction, holdId: string): Promise<StoredHold | undefined> {
    return Promise.resolve(this.holds.get(holdId.toLowerCase()));
  }
  readHold(tx: SqlTransaction, holdId: string): Promise<StoredHold | undefined> {
    return this.lockHold(tx, holdId);
  }
  lockEscrow(_tx: SqlTransaction, escrowId: string): Promise<StoredEscrow | undefined> {
    return Promise.resolve(this.escrows.get(escrowId.toLowerCase()));
  }
  loadEntry(_tx: SqlTransaction, entryId: string): Promise<JournalEntry | undefined> {
    return Promise.resolve(this.entries.get(entryId.toLowerCase()));
  }
  lockReleaseRequest(_tx: SqlTransaction, paymentId: string): Promise<ReleaseRequest | undefined> {
    return Promise.resolve(this.releaseRequests.get(paymentId.toLowerCase()));
  }
  lockBalances(_tx: SqlTransaction, accounts: readonly ChartAccount[]): Promise<Balances> {
    const locked = new Map<string, AccountBalance>();
    for (const account of accounts) {
      this.accounts.set(account.id, account);
      locked.set(account.id, this.balances.get(account.id) ?? zeroBalance(account.id, account.currency));
    }
    return Promise.resolve(locked);
  }
  lockDueHolds(_tx: SqlTransaction, dueAt: Date, limit: number): Promise<StoredHold[]> {
    const due = [...this.holds.values()].filter(({ hold }) => hold.status === 'PENDING' && hold.expiresAt !== null && hold.expiresAt.getTime() <= dueAt.getTime());
    return Promise.resolve(due.slice(0, limit));
  }
  write(_tx: SqlTransaction, write: LedgerWrite): Promise<void> {
    for (const entry of write.entries) {
      if (this.entries.has(entry.entryId)) throw new Error(`entry ${entry.entryId} exists`);
      this.entries.set(entry.entryId, entry);
    }
    for (const { change, closedByEventId } of write.holds) {
      const id = change.after.holdId.toLowerCase();
      if (change.before === null && this.holds.has(id)) throw new Error(`hold ${id} exists`);
      this.holds.set(id, { hold: change.after, closedByEventId: closedByEventId?.toLowerCase() ?? null });
    }
    for (const { before, after } of write.escrows) {
      const id = after.escrow.escrowId.toLowerCase();
      if ((this.escrows.get(id)?.version ?? undefined) !== before?.version) throw new Error(`escrow ${id} changed`);
      this.escrows.set(id, after);
    }
    for (const taken of write.releaseRequests.taken) this.releaseRequests.delete(taken);
    for (const put of write.releaseRequests.put) {
      if (this.releaseRequests.has(put.paymentId)) throw new Error(`release for ${put.paymentId} exists`);
      this.releaseRequests.set(put.paymentId, put);
    }
    for (const raised of write.breaks) {
      if (this.breaks.has(raised.breakId)) throw new Error(`break ${raised.breakId} exists`);
      this.breaks.set(raised.breakId, raised);
    }
    for (const balance of write.balances.after.values()) this.balances.set(balance.accountId, balance);
    return Promise.resolve();
  }

  /** Net posted (debits − credits) of an account. */
  posted(accountId: string): bigint {
    const balance = this.balances.get(accountId);
    return balance === undefined ? 0n : balance.debitsPostedMinor - balance.creditsPostedMinor;
  }
}

export function deps(book: FakeLedgerBook): LedgerDeps {
  return { book, actor: LEDGER, now: NOW };
}

/** Writes an applied decision as the settle path would (what the next use case then reads). */
export async function store(book: FakeLedgerBook, decided: LedgerDecided): Promise<LedgerDecided> {
  if (decided.decision.outcome === 'applied') await ledgerDecisionStore(book).storeApplied(TX, { decision: decided.decision, subject: decided.subject, write: undefined, causationId: null });
  return decided;
}

export function eventTypes(decided: LedgerDecided): string[] {
  const { decision } = decided;
  if (decision.outcome === 'applied') return decision.events.map((event) => event.eventType);
  if (decision.outcome === 'refused') return (decision.events ?? []).map((event) => event.eventType);
  return [];
}

/** One payment of one booking, with the saga's events (the fee at FEE_BPS). */
export class Story {
  readonly paymentId = randomUUID();
  readonly bookingId = randomUUID();
  readonly tenantId = 'merchant-1';
  private clock_ms = NOW.getTime() - 3_600_000;

  account(code: string): string {
    return `${code}:${this.tenantId}:EUR`;
  }

  authorized(amountMinor: bigint, options: { readonly currency?: string; readonly expiresIn_ms?: number } = {}): PaymentAuthorized {
    const envelope = this.envelope('PaymentAuthorized');
    const expiresAt = options.expiresIn_ms === undefined ? null : new Date(envelope.occurredAt.getTime() + options.expiresIn_ms);
    const amount = { amountMinor, currency: options.currency ?? 'EUR' };
    return { envelope, ...this.ids(), statusBefore: 'PENDING', statusAfter: 'AUTHORIZED', reason: 'PSP_RESPONSE', pspPaymentIntentId: 'pi_1', pspIdempotencyKey: 'k', authorizedAmount: amount, authorizationExpiresAt: expiresAt, authorizedAt: envelope.occurredAt };
  }

  /** The fee as the payment service decided it (at FEE_BPS, 2.5 %, the fee of 100.00 is 2.50). */
  captured(amountMinor: bigint, feeMinor: bigint, terms: Pick<PaymentCaptured, 'feeBps' | 'feeRule' | 'feeScheduleVersion'> = { feeBps: FEE_BPS, feeRule: 'DEFAULT_RATE/HALF_UP', feeScheduleVersion: 'fs-test' }): PaymentCaptured {
    return {
      envelope: this.envelope('PaymentCaptured'),
      ...this.ids(),
      statusBefore: 'AUTHORIZED',
      statusAfter: 'CAPTURED',
      reason: 'PSP_RESPONSE',
      pspPaymentIntentId: 'pi_1',
      pspIdempotencyKey: 'k',
      pspChargeId: null,
      capturedAmount: { amountMinor, currency: 'EUR' },
      platformFee: { amountMinor: feeMinor, currency: 'EUR' },
      ...terms,
    };
  }

  private ids(): { readonly paymentId: string; readonly bookingId: string } {
    return { paymentId: this.paymentId, bookingId: this.bookingId };
  }

  envelope(eventType: string, after_ms = 1_000): Envelope {
    this.clock_ms += after_ms;
    return { eventId: randomUUID(), eventType, occurredAt: new Date(this.clock_ms), producer: 'payment', aggregateId: this.paymentId, aggregateVersion: 1n, correlationId: this.bookingId, causationId: null, actor: { type: 'SERVICE', id: 'payment' }, tenantId: this.tenantId };
  }
}
