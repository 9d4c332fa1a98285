import fc from 'fast-check';
import { canonicalJson, decide, IDEMPOTENCY_KEY, keepsOutcome, readIdempotencyKey, requestHash, type RecordView } from './idempotency-rules';

const visible = fc.string({ unit: fc.constantFrom(...Array.from({ length: 0x7e - 0x21 + 1 }, (_, index) => String.fromCharCode(0x21 + index))), minLength: 1, maxLength: 255 });

/** Reorders every object's members (arrays keep their order), as another client's serialiser might. */
function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffled(item, seed));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const rotated = entries.length === 0 ? entries : [...entries.slice(seed % entries.length), ...entries.slice(0, seed % entries.length)].reverse();
  return Object.fromEntries(rotated.map(([name, member]) => [name, shuffled(member, seed + 1)]));
}

describe('Idempotency-Key header', () => {
  it('accepts every string of 1–255 visible ASCII characters as it is', () => {
    fc.assert(fc.property(visible, (key) => expect(readIdempotencyKey(key)).toEqual({ kind: 'valid', key })));
  });

  it('refuses keys over 255 characters, and any key with a space, a control or a non-ASCII character', () => {
    fc.assert(fc.property(fc.string({ minLength: 256, maxLength: 400, unit: 'grapheme-ascii' }), (key) => expect(readIdempotencyKey(key).kind).toBe('invalid')));
    fc.assert(
      fc.property(visible, fc.constantFrom(' ', '\t', '\u0000', '\u007f', 'é', '\u{1F600}'), fc.nat(), (key, bad, at) => {
        const position = at % (key.length + 1);
        expect(readIdempotencyKey(key.slice(0, position) + bad + key.slice(position)).kind).toBe('invalid');
      }),
    );
  });

  it('treats a missing or empty header as absent, and a repeated one as invalid', () => {
    expect(readIdempotencyKey(undefined)).toEqual({ kind: 'absent' });
    expect(readIdempotencyKey('')).toEqual({ kind: 'absent' });
    expect(readIdempotencyKey(['a', 'b'])).toEqual({ kind: 'invalid' });
    expect(IDEMPOTENCY_KEY.test('a'.repeat(255))).toBe(true);
  });
});

describe('request hash', () => {
  it('is the same for the same body with members reordered or spaced differently', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (body, seed) => {
        const reordered = JSON.parse(JSON.stringify(shuffled(body, seed), null, 2)) as unknown;
        expect(canonicalJson(reordered)).toBe(canonicalJson(body));
        expect(requestHash('POST', '/v1/bookings', reordered)).toBe(requestHash('post', '/v1/bookings', body));
      }),
    );
  });

  it('differs when the body, the path or the method differs', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        expect(requestHash('POST', '/v1/bookings', a)).not.toBe(requestHash('POST', '/v1/bookings', b));
      }),
    );
    fc.assert(fc.property(fc.jsonValue(), (body) => expect(requestHash('POST', '/v1/bookings', body)).not.toBe(requestHash('POST', '/v1/api-keys', body))));
    expect(requestHash('POST', '/v1/x', undefined)).not.toBe(requestHash('PUT', '/v1/x', undefined));
  });

  it('keeps array order significant and tells no body from an empty object', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson(undefined)).not.toBe(canonicalJson({}));
  });
});

describe('what a request does with a key already on record', () => {
  const now = new Date('2026-12-02T05:00:00Z');
  const record = fc.record({
    requestHash: fc.constantFrom('a'.repeat(64), 'b'.repeat(64)),
    state: fc.constantFrom<RecordView['state']>('claimed', 'executed', 'completed'),
    leaseUntil: fc.integer({ min: -120_000, max: 120_000 }).map((offset) => new Date(now.getTime() + offset)),
  });

  it('never executes a second time unless the first claim never executed and its lease is over', () => {
    fc.assert(
      fc.property(record, (view) => {
        const decision = decide(view, 'a'.repeat(64), now);
        if (decision === 'take-over') {
          expect(view.state).toBe('claimed');
          expect(view.leaseUntil.getTime()).toBeLessThanOrEqual(now.getTime());
        }
        if (view.state === 'executed') expect(decision).not.toBe('take-over');
      }),
    );
  });

  it('answers another request under the key 422 in every state, and the same one by its state and lease', () => {
    fc.assert(fc.property(record, (view) => expect(decide({ ...view, requestHash: 'b'.repeat(64) }, 'a'.repeat(64), now)).toBe('reused')));
    fc.assert(
      fc.property(record, (view) => {
        const same = { ...view, requestHash: 'a'.repeat(64) };
        const leased = view.leaseUntil.getTime() > now.getTime();
        const expected = view.state === 'completed' ? 'replay' : leased ? 'in-progress' : view.state === 'claimed' ? 'take-over' : 'outcome-lost';
        expect(decide(same, 'a'.repeat(64), now)).toBe(expected);
      }),
    );
  });

  it("keeps every outcome of a request that began, the server's 5xx included, but not a refused body, 429 or 503", () => {
    fc.assert(fc.property(fc.integer({ min: 100, max: 599 }), (status) => expect(keepsOutcome(status)).toBe(![400, 429, 503].includes(status))));
    expect(keepsOutcome(500)).toBe(true);
  });
});
