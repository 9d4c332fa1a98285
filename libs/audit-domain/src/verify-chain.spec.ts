import fc from 'fast-check';
import { appendToChain, GENESIS_HASH, recordHash, type AuditFacts, type AuditRecord } from './audit-record';
import { verifyChain, type ChainVerdict } from './verify-chain';

const CHAIN = 'merchant-1';

function facts(index: number, amount: string): AuditFacts {
  return {
    eventId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    action: 'BookingConfirmed',
    producer: 'booking',
    source: { topic: 'booking.events.v1', partition: index % 6, offset: String(index) },
    occurredAt: new Date(Date.UTC(2026, 11, 3, 12, 0, index)).toISOString(),
    recordedAt: new Date(Date.UTC(2026, 11, 3, 12, 0, index, 5)).toISOString(),
    tenantId: CHAIN,
    actor: { type: 'API_KEY', id: 'key_1' },
    aggregate: { type: 'booking', id: `booking-${index}`, version: '2' },
    statusBefore: 'HELD',
    statusAfter: 'CONFIRMED',
    reason: 'PAYMENT_AUTHORIZED',
    changes: { authorizedAmount: { amountMinor: amount, currency: 'EUR' } },
    correlationId: `booking-${index}`,
    causationId: null,
    traceId: null,
  };
}

function chainOf(amounts: readonly string[]): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const [index, amount] of amounts.entries()) records.push(appendToChain(CHAIN, records.at(-1), facts(index, amount)));
  return records;
}

function broken(verdict: ChainVerdict): { kind: string; seq: number } | 'ok' {
  return verdict.ok ? 'ok' : { kind: verdict.broken.kind, seq: verdict.broken.seq };
}

const amounts = fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }).map(String), { minLength: 2, maxLength: 25 });
/** A chain and a position in it (0-based). */
const chainAndIndex = amounts.chain((list) => fc.tuple(fc.constant(list), fc.integer({ min: 0, max: list.length - 1 })));

describe('the audit chain', () => {
  it('links each record to the one before it, the first to the genesis hash', () => {
    const [first, second] = chainOf(['100', '200']);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 2, prevHash: first?.hash });
    expect(first?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the canonical encoding: the order of an object’s keys does not matter, a value does', () => {
    const one = facts(1, '100');
    const reordered = { ...one, changes: { authorizedAmount: { currency: 'EUR', amountMinor: '100' } } };
    expect(recordHash(CHAIN, GENESIS_HASH, reordered)).toBe(recordHash(CHAIN, GENESIS_HASH, one));
    expect(recordHash(CHAIN, GENESIS_HASH, facts(1, '101'))).not.toBe(recordHash(CHAIN, GENESIS_HASH, one));
    expect(recordHash('merchant-2', GENESIS_HASH, one)).not.toBe(recordHash(CHAIN, GENESIS_HASH, one));
  });

  it('verifies any chain nobody touched, up to its latest checkpoint', () => {
    fc.assert(
      fc.property(chainAndIndex, ([list, index]) => {
        const records = chainOf(list);
        const checkpoint = { chainId: CHAIN, seq: index + 1, hash: records[index]?.hash ?? '' };
        expect(verifyChain(CHAIN, records, checkpoint)).toEqual({ ok: true, chainId: CHAIN, count: list.length, head: { seq: list.length, hash: records.at(-1)?.hash }, checkpointSeq: index + 1 });
      }),
    );
  });

  it('names an edited record: its content no longer gives its hash', () => {
    fc.assert(
      fc.property(chainAndIndex, ([list, index]) => {
        const records = chainOf(list);
        const record = records[index] as AuditRecord;
        records[index] = { ...record, facts: { ...record.facts, changes: { authorizedAmount: { amountMinor: '1', currency: 'EUR' } } } };
        const edited = list[index] === '1' ? 'ok' : { kind: 'EDITED', seq: index + 1 };
        expect(broken(verifyChain(CHAIN, records))).toEqual(edited);
      }),
    );
  });

  it('names a deleted record by the place it is missing from (the last one only by a checkpoint)', () => {
    fc.assert(
      fc.property(chainAndIndex, ([list, index]) => {
        const records = chainOf(list);
        const head = records.at(-1) as AuditRecord;
        records.splice(index, 1);
        const checkpoint = { chainId: CHAIN, seq: head.seq, hash: head.hash };
        const expected = index === list.length - 1 ? { kind: 'TRUNCATED', seq: list.length } : { kind: 'MISSING', seq: index + 1 };
        expect(broken(verifyChain(CHAIN, records, checkpoint))).toEqual(expected);
      }),
    );
  });

  it('names a record inserted with a sequence number already taken, even with a hash that fits its place', () => {
    fc.assert(
      fc.property(chainAndIndex, ([list, index]) => {
        const records = chainOf(list);
        const original = records[index] as AuditRecord;
        const forgedFacts = { ...original.facts, eventId: 'ffffffff-ffff-4fff-bfff-ffffffffffff' };
        const forged: AuditRecord = { ...original, facts: forgedFacts, hash: recordHash(CHAIN, original.prevHash, forgedFacts) };
        records.splice(index + 1, 0, forged);
        expect(broken(verifyChain(CHAIN, records))).toEqual({ kind: 'INSERTED', seq: index + 1 });
      }),
    );
  });

  it('names two records that swapped places', () => {
    fc.assert(
      fc.property(
        amounts.chain((list) => fc.tuple(fc.constant(list), fc.integer({ min: 0, max: list.length - 2 }))),
        ([list, index]) => {
          const records = chainOf(list);
          const [first, second] = [records[index] as AuditRecord, records[index + 1] as AuditRecord];
          records[index] = { ...second, seq: first.seq };
          records[index + 1] = { ...first, seq: second.seq };
          expect(broken(verifyChain(CHAIN, records))).toEqual({ kind: 'REORDERED', seq: index + 1 });
        },
      ),
    );
  });

  it('names a chain rewritten with fresh hashes by the checkpoint that saw the old one', () => {
    const records = chainOf(['100', '200', '300']);
    const checkpoint = { chainId: CHAIN, seq: 3, hash: (records[2] as AuditRecord).hash };
    const rewritten = chainOf(['100', '250', '300']);
    expect(broken(verifyChain(CHAIN, rewritten))).toBe('ok');
    expect(broken(verifyChain(CHAIN, rewritten, checkpoint))).toEqual({ kind: 'CHECKPOINT_MISMATCH', seq: 3 });
  });

  it('names a whole chain deleted by its checkpoint', () => {
    expect(broken(verifyChain(CHAIN, [], { chainId: CHAIN, seq: 4, hash: 'a'.repeat(64) }))).toEqual({ kind: 'TRUNCATED', seq: 1 });
  });

  it('names sequence numbers that jump while the links agree', () => {
    const records = chainOf(['100', '200', '300']);
    records[2] = { ...(records[2] as AuditRecord), seq: 7 };
    expect(broken(verifyChain(CHAIN, records))).toEqual({ kind: 'RENUMBERED', seq: 3 });
  });

  it('starts an archived chain after its last archived record, and still names what is missing after it', () => {
    const records = chainOf(['100', '200', '300', '400', '500']);
    const start = { seq: 2, hash: (records[1] as AuditRecord).hash };
    const stored = records.slice(2);
    expect(verifyChain(CHAIN, stored, { chainId: CHAIN, seq: 5, hash: (records[4] as AuditRecord).hash }, start)).toMatchObject({ ok: true, count: 3 });
    expect(broken(verifyChain(CHAIN, records.slice(3), undefined, start))).toEqual({ kind: 'MISSING', seq: 3 });
  });
});
