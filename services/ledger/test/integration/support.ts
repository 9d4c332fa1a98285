import { randomUUID } from 'node:crypto';
import { Pool, type DatabaseError } from 'pg';
import pino from 'pino';
import { type BookingCompleted, type Envelope, type PaymentAuthorized, type PaymentCaptured, type PaymentRefunded, type PaymentVoided } from '@txn/contracts';
import { basisPointsOf, money } from '@txn/money';
import { inTransaction, type SqlTransaction } from '@txn/sql';
import { createSuiteScope, testEnvironment, type SuiteDatabase, type SuiteScope } from '@txn/testing';
import { migrateLedger } from '../../src';

/** Pool size for the service role: enough for the concurrency tests, small next to max_connections. */
export const SERVICE_POOL_SIZE = 10;
/** Every statement of a test ends (a lock wait included). */
export const TEST_STATEMENT_TIMEOUT_MS = 15_000;
export const FEE_BPS = 250;
/** The migration runner logs each step; the suites assert on the database instead. */
export const SILENT = pino({ level: 'silent' });

/** SQLSTATE of a connection terminated by the administrator (DROP DATABASE … WITH (FORCE)). */
const ADMIN_SHUTDOWN = '57P01';

/**
 * For a pool's 'error' event (an idle connection failing). `pool.end()` resolves once it has asked
 * its connections to close, not once they are closed; the suite's `DROP DATABASE … WITH (FORCE)`
 * right after may terminate one still closing (57P01), which is expected then. Anything else is not.
 */
export function ignoreTermination(error: Error): void {
  if ((error as DatabaseError).code !== ADMIN_SHUTDOWN) throw error;
}

/** One suite's ledger database: the service role (least privilege, owns its schema) and the admin. */
export class LedgerDatabase {
  private constructor(
    readonly database: SuiteDatabase,
    /** As the service role, which ran the migrations. */
    readonly pool: Pool,
    /** As the PostgreSQL superuser: for corrupting data on purpose. */
    readonly admin: Pool,
  ) {}

  static async create(scope: SuiteScope, label: string): Promise<LedgerDatabase> {
    const database = await scope.database(label);
    const { postgres } = testEnvironment();
    const common = { host: database.host, port: database.port, database: database.database, statement_timeout: TEST_STATEMENT_TIMEOUT_MS };
    const pool = new Pool({ ...common, user: database.user, password: database.password, max: SERVICE_POOL_SIZE });
    const admin = new Pool({ ...common, user: postgres.adminUser, password: postgres.adminPassword, max: 2 });
    for (const each of [pool, admin]) each.on('error', ignoreTermination);
    await migrateLedger(pool, SILENT);
    return new LedgerDatabase(database, pool, admin);
  }

  get url(): string {
    const { user, password, host, port, database } = this.database;
    return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
  }

  async inTx<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, (tx) => work(tx));
  }

  async balance(accountId: string): Promise<{ dp: bigint; cp: bigint; dq: bigint; cq: bigint }> {
    const { rows } = await this.pool.query<{ dp: string; cp: string; dq: string; cq: string }>(
      'SELECT debits_posted_minor AS dp, credits_posted_minor AS cp, debits_pending_minor AS dq, credits_pending_minor AS cq FROM account_balances WHERE account_id = $1',
      [accountId],
    );
    const row = rows[0] ?? { dp: '0', cp: '0', dq: '0', cq: '0' };
    return { dp: BigInt(row.dp), cp: BigInt(row.cp), dq: BigInt(row.dq), cq: BigInt(row.cq) };
  }

  /** Everything that moves money, for before/after comparisons. */
  async snapshot(): Promise<string> {
    const { rows } = await this.pool.query(
      `SELECT (SELECT count(*) FROM journal_entries) AS entries, (SELECT count(*) FROM journal_lines) AS lines,
              (SELECT json_agg(b ORDER BY account_id) FROM (SELECT account_id, debits_posted_minor, credits_posted_minor, debits_pending_minor, credits_pending_minor FROM account_balances) b) AS balances,
              (SELECT json_agg(h ORDER BY hold_id) FROM (SELECT hold_id, status FROM holds) h) AS holds,
              (SELECT json_agg(e ORDER BY escrow_id) FROM (SELECT escrow_id, status, refunded_minor, version FROM escrows) e) AS escrows`,
    );
    return JSON.stringify(rows[0]);
  }

  async dispose(): Promise<void> {
    await Promise.all([this.pool.end(), this.admin.end()]);
  }
}

export async function ledgerSuite(name: string): Promise<SuiteScope> {
  return createSuiteScope(name);
}

export function accountOf(code: string, tenantId: string, currency: string): string {
  return `${code}:${tenantId}:${currency}`;
}

function envelope(eventType: string, tenantId: string, aggregateId: string, correlationId: string, occurredAt: Date): Envelope {
  return {
    eventId: randomUUID(),
    eventType,
    occurredAt,
    producer: 'test',
    aggregateId,
    aggregateVersion: 1n,
    correlationId,
    causationId: null,
    actor: { type: 'SERVICE', id: 'test' },
    tenantId,
  };
}

const MINUTE_MS = 60_000;

/** One payment of one booking through the saga's events, with a clock the test moves. */
export class PaymentStory {
  readonly paymentId = randomUUID();
  readonly bookingId = randomUUID();
  /** Each story its own merchant: verify's per-account checks stay readable. */
  readonly tenantId = `merchant-${randomUUID().slice(0, 8)}`;
  private clock_ms: number;
  private readonly feeBps: number;

  /** `startAt_ms`: the story's first instant (default a fixed day); `feeBps`: the rate captures are computed at. */
  constructor(
    readonly currency = 'EUR',
    options: { readonly startAt_ms?: number; readonly feeBps?: number } = {},
  ) {
    this.clock_ms = options.startAt_ms ?? Date.UTC(2026, 0, 10, 12, 0, 0);
    this.feeBps = options.feeBps ?? FEE_BPS;
  }

  account(code: string): string {
    return accountOf(code, this.tenantId, this.currency);
  }

  private at(advance_ms = 1_000): Date {
    this.clock_ms += advance_ms;
    return new Date(this.clock_ms);
  }

  authorized(amountMinor: bigint, options: { expiresIn_ms?: number } = {}): PaymentAuthorized {
    const occurredAt = this.at();
    return {
      envelope: envelope('PaymentAuthorized', this.tenantId, this.paymentId, this.bookingId, occurredAt),
      paymentId: this.paymentId,
      bookingId: this.bookingId,
      statusBefore: 'PENDING',
      statusAfter: 'AUTHORIZED',
      reason: 'PSP_RESPONSE',
      pspPaymentIntentId: `pi_${this.paymentId.slice(0, 8)}`,
      pspIdempotencyKey: `pay_${this.paymentId}_authorize`,
      authorizedAmount: { amountMinor, currency: this.currency },
      authorizationExpiresAt: new Date(occurredAt.getTime() + (options.expiresIn_ms ?? 7 * 24 * 60 * MINUTE_MS)),
      authorizedAt: occurredAt,
    };
  }

  /** The fee as the payment service decides it, at the story's rate, unless the test states another. */
  captured(amountMinor: bigint, platformFeeMinor?: bigint): PaymentCaptured {
    const fee = basisPointsOf(money(amountMinor, this.currency), this.feeBps);
    return {
      envelope: envelope('PaymentCaptured', this.tenantId, this.paymentId, this.bookingId, this.at()),
      paymentId: this.paymentId,
      bookingId: this.bookingId,
      statusBefore: 'AUTHORIZED',
      statusAfter: 'CAPTURED',
      reason: 'PSP_RESPONSE',
      pspPaymentIntentId: `pi_${this.paymentId.slice(0, 8)}`,
      pspIdempotencyKey: `pay_${this.paymentId}_capture`,
      pspChargeId: null,
      capturedAmount: { amountMinor, currency: this.currency },
      platformFee: { amountMinor: platformFeeMinor ?? fee.amountMinor, currency: this.currency },
      feeBps: this.feeBps,
      feeRule: 'DEFAULT_RATE/HALF_UP',
      feeScheduleVersion: 'fs-test',
    };
  }

  voided(amountMinor: bigint, options: { after_ms?: number } = {}): PaymentVoided {
    return {
      envelope: envelope('PaymentVoided', this.tenantId, this.paymentId, this.bookingId, this.at(options.after_ms)),
      paymentId: this.paymentId,
      bookingId: this.bookingId,
      statusBefore: 'AUTHORIZED',
      statusAfter: 'VOIDED',
      reason: 'BOOKING_CANCELLED',
      pspPaymentIntentId: `pi_${this.paymentId.slice(0, 8)}`,
      pspIdempotencyKey: `pay_${this.paymentId}_void`,
      voidedAmount: { amountMinor, currency: this.currency },
    };
  }

  refunded(amountMinor: bigint, n: number): PaymentRefunded {
    const refundId = randomUUID();
    return {
      envelope: envelope('PaymentRefunded', this.tenantId, this.paymentId, this.bookingId, this.at()),
      paymentId: this.paymentId,
      bookingId: this.bookingId,
      statusBefore: 'CAPTURED',
      statusAfter: 'PARTIALLY_REFUNDED',
      reason: 'BOOKING_CANCELLED_AFTER_CAPTURE',
      refundId,
      pspPaymentIntentId: `pi_${this.paymentId.slice(0, 8)}`,
      pspRefundId: `re_${refundId.slice(0, 8)}`,
      pspIdempotencyKey: `pay_${this.paymentId}_refund_${n}`,
      refundedAmount: { amountMinor, currency: this.currency },
      totalRefunded: { amountMinor, currency: this.currency },
    };
  }

  completed(): BookingCompleted {
    const occurredAt = this.at();
    return {
      envelope: envelope('BookingCompleted', this.tenantId, this.bookingId, this.bookingId, occurredAt),
      bookingId: this.bookingId,
      statusBefore: 'CONFIRMED',
      statusAfter: 'COMPLETED',
      reason: 'SERVICE_DELIVERED',
      paymentId: this.paymentId,
      deliveredAt: occurredAt,
    };
  }
}

