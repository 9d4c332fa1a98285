import { COMPATIBILITY_DIRECTIONS, compareVersions } from './offline-compatibility';

// In-memory versions of one contract: the offline check must refuse what a registry under
// BACKWARD (or FULL) would refuse, and accept the evolutions the project relies on.
const v1 = {
  type: 'record',
  name: 'PaymentCaptured',
  namespace: 'txn.test',
  fields: [
    { name: 'paymentId', type: 'string' },
    { name: 'amountMinor', type: 'long' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};
const withField = (field: object): object => ({ ...v1, fields: [...v1.fields, field] });

describe('offline compatibility (avsc resolver): FULL_TRANSITIVE = both read directions', () => {
  it('accepts an optional field added with a default, in both directions', () => {
    expect(compareVersions(v1, withField({ name: 'pspChargeId', type: ['null', 'string'], default: null }))).toEqual([]);
  });

  it('refuses a field added without a default: new readers cannot read old data', () => {
    const problems = compareVersions(v1, withField({ name: 'pspChargeId', type: 'string' }));
    expect(problems).toEqual([{ direction: 'current-reads-earlier', reason: expect.stringContaining('pspChargeId') }]);
  });

  it('refuses a type change (long amount → string)', () => {
    const changed = { ...v1, fields: v1.fields.map((f) => (f.name === 'amountMinor' ? { ...f, type: 'string' } : f)) };
    const problems = compareVersions(v1, changed);
    expect(problems.map((p) => p.direction)).toEqual(['current-reads-earlier', 'earlier-reads-current']);
    expect(problems[0]?.reason).toMatch(/amountMinor|string|long/);
  });

  it('refuses removing a field without default under FULL (old consumers need it), accepts it under BACKWARD', () => {
    const removed = { ...v1, fields: v1.fields.filter((f) => f.name !== 'amountMinor') };
    expect(compareVersions(v1, removed)).toEqual([{ direction: 'earlier-reads-current', reason: expect.stringContaining('amountMinor') }]);
    expect(compareVersions(v1, removed, COMPATIBILITY_DIRECTIONS.BACKWARD)).toEqual([]);
  });

  it('refuses a new enum symbol old consumers cannot read (no enum default)', () => {
    const status = (symbols: string[]): object => withField({ name: 'status', type: { type: 'enum', name: 'Status', symbols }, default: 'A' });
    expect(compareVersions(status(['A', 'B']), status(['A', 'B', 'C']))).toEqual([{ direction: 'earlier-reads-current', reason: expect.any(String) }]);
  });

  it('accepts a widening that Avro promotes (int → long) only for new readers', () => {
    const intVersion = { ...v1, fields: v1.fields.map((f) => (f.name === 'amountMinor' ? { ...f, type: 'int' } : f)) };
    expect(compareVersions(intVersion, v1, COMPATIBILITY_DIRECTIONS.BACKWARD)).toEqual([]);
    expect(compareVersions(intVersion, v1).map((p) => p.direction)).toEqual(['earlier-reads-current']);
  });
});
