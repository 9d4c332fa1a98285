import type { PoolClient } from 'pg';
import { fromPgClient } from '@txn/sql';
import type { SuiteScope } from '@txn/testing';
import { waitFor } from '@txn/testing';
import { onBookingCompleted, onPaymentAuthorized, onPaymentCaptured, type LedgerHandling } from './handlers';
import { LedgerDatabase, ledgerSuite, PaymentStory } from './support';

// Two ledger instances consume payment.events.v1 and booking.events.v1 independently, so one may
// decide PaymentCaptured while the other decides BookingCompleted for the same payment. Each runs
// in its own transaction, and neither may miss the other's uncommitted row: the capture must see a
// waiting release, or the completion must see the funded escrow. Here the two transactions are
// held open on two connections, in both orders, exactly as the race would interleave them.

const WAIT_MS = 10_000;

/** A transaction held open on its own connection until the test commits it. */
class OpenTransaction {
  private constructor(
    private readonly client: PoolClient,
    readonly pid: number,
  ) {}

  static async begin(db: LedgerDatabase): Promise<OpenTransaction> {
    const client = await db.pool.connect();
    const [row] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    await client.query('BEGIN');
    return new OpenTransaction(client, row?.pid ?? -1);
  }

  run(work: (tx: ReturnType<typeof fromPgClient>) => Promise<LedgerHandling>): Promise<LedgerHandling> {
    return work(fromPgClient(this.client));
  }

  async commit(): Promise<void> {
    try {
      await this.client.query('COMMIT');
    } finally {
      this.client.release();
    }
  }
}

/** Resolves once the second decision is either done or waiting for a lock the first one holds. */
async function decidedOrBlocked(db: LedgerDatabase, second: OpenTransaction, deciding: Promise<LedgerHandling>): Promise<'decided' | 'blocked'> {
  let done = false;
  void deciding.then(() => (done = true), () => (done = true));
  return waitFor(
    'the second decision to finish or wait for a lock',
    async () => {
      if (done) return 'decided' as const;
      const { rows } = await db.admin.query<{ waiting: boolean }>("SELECT wait_event_type = 'Lock' AS waiting FROM pg_stat_activity WHERE pid = $1", [second.pid]);
      return rows[0]?.waiting === true ? ('blocked' as const) : undefined;
    },
    WAIT_MS,
  );
}

describe('PaymentCaptured and BookingCompleted decided at once by two ledger instances', () => {
  let scope: SuiteScope;
  let db: LedgerDatabase;

  beforeAll(async () => {
    scope = await ledgerSuite('ledger-capture-completion-race');
    db = await LedgerDatabase.create(scope, 'ledger');
  });

  afterAll(async () => {
    await db?.dispose();
    await scope?.dispose();
  });

  async function releaseState(story: PaymentStory): Promise<{ escrow: string | undefined; waiting: number }> {
    const escrow = await db.pool.query<{ status: string }>('SELECT status FROM escrows WHERE escrow_id = $1', [story.paymentId]);
    const waiting = await db.pool.query('SELECT 1 FROM escrow_release_requests WHERE payment_id = $1', [story.paymentId]);
    return { escrow: escrow.rows[0]?.status, waiting: waiting.rowCount ?? 0 };
  }

  it.each([
    ['the capture first, the completion while it is uncommitted', 'capture'],
    ['the completion first, the capture while it is uncommitted', 'completion'],
  ] as const)('%s: the merchant is paid, and no release request is left waiting', async (_name, first) => {
    const story = new PaymentStory();
    await db.inTx((tx) => onPaymentAuthorized(tx, story.authorized(10_000n)));
    const capture = story.captured(10_000n);
    const completion = story.completed();
    const decide = { capture: (tx: ReturnType<typeof fromPgClient>) => onPaymentCaptured(tx, capture), completion: (tx: ReturnType<typeof fromPgClient>) => onBookingCompleted(tx, completion) };
    const second = first === 'capture' ? 'completion' : 'capture';

    const a = await OpenTransaction.begin(db);
    const b = await OpenTransaction.begin(db);
    await a.run(decide[first]);
    const deciding = b.run(decide[second]);
    const secondWas = await decidedOrBlocked(db, b, deciding);
    await a.commit();
    await deciding;
    await b.commit();

    // Without a lock both take, each missed the other's uncommitted row: escrow FUNDED, a release waiting for ever.
    expect(await releaseState(story)).toEqual({ escrow: 'RELEASED', waiting: 0 });
    expect(await db.balance(story.account('MERCHANT_PAYABLE'))).toMatchObject({ cp: 9_750n });
    // Serialised on the payment: the second waited for the first to commit, then saw its row.
    expect(secondWas).toBe('blocked');
  });
});
