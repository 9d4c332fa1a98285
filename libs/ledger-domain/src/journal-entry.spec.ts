import fc from 'fast-check';
import { type CurrencyCode } from '@txn/money';
import { CHART_OF_ACCOUNTS, type AccountCode } from './accounts';
import { classifyRepost, MAX_AMOUNT_MINOR, netByCurrency, postEntry, reverse, type JournalLine } from './journal-entry';
import { acct, eur, must } from './test-fixtures';

const CURRENCIES: CurrencyCode[] = ['JPY', 'EUR', 'KWD'];
const codes = Object.keys(CHART_OF_ACCOUNTS) as AccountCode[];

/** A balanced draft: transfers (debit one account, credit another) of random amounts and currencies, shuffled. */
const balancedLines = fc
  .array(
    fc.record({
      from: fc.constantFrom(...codes),
      to: fc.constantFrom(...codes),
      currency: fc.constantFrom(...CURRENCIES),
      amountMinor: fc.bigInt({ min: 1n, max: 10n ** 12n }),
      tenant: fc.constantFrom('t1', 't2'),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .chain((transfers) =>
    fc.shuffledSubarray(
      transfers.flatMap((t): JournalLine[] => [
        { accountId: acct(t.from, t.currency, t.tenant), side: 'DEBIT', amount: { amountMinor: t.amountMinor, currency: t.currency } },
        { accountId: acct(t.to, t.currency, t.tenant), side: 'CREDIT', amount: { amountMinor: t.amountMinor, currency: t.currency } },
      ]),
      { minLength: transfers.length * 2, maxLength: transfers.length * 2 },
    ),
  );

describe('journal entries', () => {
  it('accepts every balanced entry and every accepted entry balances in each currency', () => {
    fc.assert(
      fc.property(balancedLines, (lines) => {
        const entry = must(postEntry({ entryId: 'e1', entryType: 'ADJUSTMENT', reason: 'test', lines }));
        for (const net of netByCurrency(entry.lines).values()) expect(net).toBe(0n);
      }),
    );
  });

  it('refuses an entry whose debits and credits differ by any amount in any currency', () => {
    fc.assert(
      fc.property(balancedLines, fc.nat(), fc.bigInt({ min: 1n, max: 1000n }), (lines, pick, extra) => {
        const index = pick % lines.length;
        const skewed = lines.map((line, i) =>
          i === index ? { ...line, amount: { ...line.amount, amountMinor: line.amount.amountMinor + extra } } : line,
        );
        const result = postEntry({ entryId: 'e1', entryType: 'ADJUSTMENT', reason: 'test', lines: skewed });
        expect(result.outcome === 'applied').toBe(false);
        if (result.outcome !== 'applied') expect(result.refused).toBe('UNBALANCED');
      }),
    );
  });

  it('never balances one currency against another: 100 EUR of debit and 100 JPY of credit is refused', () => {
    const result = postEntry({
      entryId: 'e1',
      entryType: 'ADJUSTMENT',
      reason: 'fx without a rate',
      lines: [
        { accountId: acct('PSP_CLEARING', 'EUR'), side: 'DEBIT', amount: { amountMinor: 100n, currency: 'EUR' } },
        { accountId: acct('ESCROW', 'JPY'), side: 'CREDIT', amount: { amountMinor: 100n, currency: 'JPY' } },
      ],
    });
    expect(result).toMatchObject({ outcome: 'refused', refused: 'UNBALANCED' });
  });

  it('refuses zero, negative and oversized amounts, unknown accounts and an amount in the wrong currency for its account', () => {
    const line = (accountId: string, side: 'DEBIT' | 'CREDIT', amountMinor: bigint, currency: CurrencyCode = 'EUR'): JournalLine => ({
      accountId,
      side,
      amount: { amountMinor, currency },
    });
    const attempt = (lines: JournalLine[]) => postEntry({ entryId: 'e1', entryType: 'ADJUSTMENT', reason: 'x', lines });
    expect(attempt([line(acct('ESCROW'), 'DEBIT', 0n), line(acct('PSP_CLEARING'), 'CREDIT', 0n)])).toMatchObject({
      outcome: 'refused', refused: 'INVALID_AMOUNT',
    });
    expect(attempt([line(acct('ESCROW'), 'DEBIT', -5n), line(acct('PSP_CLEARING'), 'CREDIT', -5n)])).toMatchObject({
      outcome: 'refused', refused: 'INVALID_AMOUNT',
    });
    expect(
      attempt([line(acct('ESCROW'), 'DEBIT', MAX_AMOUNT_MINOR + 1n), line(acct('PSP_CLEARING'), 'CREDIT', MAX_AMOUNT_MINOR + 1n)]),
    ).toMatchObject({ outcome: 'refused', refused: 'INVALID_AMOUNT' });
    expect(attempt([line('CASH_BOX:merchant-1:EUR', 'DEBIT', 5n), line(acct('PSP_CLEARING'), 'CREDIT', 5n)])).toMatchObject({
      outcome: 'refused', refused: 'UNKNOWN_ACCOUNT',
    });
    expect(attempt([line(acct('ESCROW', 'EUR'), 'DEBIT', 5n, 'JPY'), line(acct('PSP_CLEARING', 'JPY'), 'CREDIT', 5n, 'JPY')])).toMatchObject({
      outcome: 'refused', refused: 'CURRENCY_MISMATCH',
    });
    expect(attempt([line(acct('ESCROW'), 'DEBIT', 5n)])).toMatchObject({ outcome: 'refused', refused: 'INVALID_ENTRY' });
  });

  it('keeps a written entry immutable: corrections are reversing entries that net the original to zero', () => {
    const original = must(
      postEntry({
        entryId: 'capture-1',
        entryType: 'CAPTURE_TO_ESCROW',
        reason: 'PAYMENT_CAPTURED',
        lines: [
          { accountId: acct('PSP_CLEARING'), side: 'DEBIT', amount: eur(10_000n) },
          { accountId: acct('ESCROW'), side: 'CREDIT', amount: eur(10_000n) },
        ],
      }),
    );
    expect(Object.isFrozen(original)).toBe(true);
    expect(Object.isFrozen(original.lines)).toBe(true);
    expect(() => {
      (original.lines as JournalLine[]).push(original.lines[0] as JournalLine);
    }).toThrow(TypeError);

    const correction = must(reverse(original, 'correction-1', 'captured against the wrong merchant'));
    expect(correction).toMatchObject({ entryType: 'REVERSAL', reversesEntryId: 'capture-1', reason: 'captured against the wrong merchant' });
    for (const net of netByCurrency([...original.lines, ...correction.lines]).values()) expect(net).toBe(0n);
    const perAccount = new Map<string, bigint>();
    for (const l of [...original.lines, ...correction.lines]) {
      perAccount.set(l.accountId, (perAccount.get(l.accountId) ?? 0n) + (l.side === 'DEBIT' ? 1n : -1n) * l.amount.amountMinor);
    }
    expect([...perAccount.values()].every((v) => v === 0n)).toBe(true);
    expect(reverse(original, 'capture-1', 'same id')).toMatchObject({ outcome: 'refused', refused: 'INVALID_ENTRY' });
  });

  it('treats a redelivered event as a duplicate, and the same event id with a different body as a conflict', () => {
    const draft = {
      entryId: 'event-42',
      entryType: 'ADJUSTMENT' as const,
      reason: 'x',
      lines: [
        { accountId: acct('PSP_CLEARING'), side: 'DEBIT' as const, amount: eur(500n) },
        { accountId: acct('ESCROW'), side: 'CREDIT' as const, amount: eur(500n) },
      ],
    };
    const first = must(postEntry(draft));
    expect(must(classifyRepost(undefined, first))).toBe('new');
    expect(must(classifyRepost(first, must(postEntry(draft))))).toBe('duplicate');
    const different = must(
      postEntry({ ...draft, lines: draft.lines.map((l) => ({ ...l, amount: eur(501n) })) }),
    );
    expect(classifyRepost(first, different)).toMatchObject({ outcome: 'refused', refused: 'DUPLICATE_CONFLICT' });
  });
});
