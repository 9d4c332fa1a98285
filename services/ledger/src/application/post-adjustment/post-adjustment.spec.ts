import { randomUUID } from 'node:crypto';
import type { JournalEntry } from '@txn/ledger-domain';
import { deps, FakeLedgerBook, store, Story, TX } from '../../../test/unit/fake-book';
import { postAdjustment } from './post-adjustment';

function adjustment(story: Story, amountMinor: bigint, entryId: string = randomUUID()): JournalEntry {
  const line = (accountId: string, side: 'DEBIT' | 'CREDIT') => ({ accountId, side, amount: { amountMinor, currency: 'EUR' as const } });
  return { entryId, entryType: 'ADJUSTMENT', reason: 'reconciliation', lines: [line(story.account('PSP_CLEARING'), 'DEBIT'), line(story.account('MERCHANT_PAYABLE'), 'CREDIT')], reversesEntryId: null, paymentId: null, bookingId: null };
}

describe('an adjusting entry', () => {
  it('is posted once: the same entry again is already applied, another entry under its id is refused', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    const entry = adjustment(story, 5n);
    expect((await store(book, await postAdjustment(TX, entry, deps(book)))).decision).toMatchObject({ outcome: 'applied', events: [{ eventType: 'EntryPosted' }] });
    expect((await postAdjustment(TX, entry, deps(book))).decision).toEqual({ outcome: 'stale', stale: 'ALREADY_APPLIED' });
    expect((await postAdjustment(TX, adjustment(story, 6n, entry.entryId), deps(book))).decision).toMatchObject({ outcome: 'refused', refused: 'DUPLICATE_CONFLICT' });
    expect(book.posted(story.account('PSP_CLEARING'))).toBe(5n);
  });

  it('refuses an unbalanced entry before touching a balance', async () => {
    const book = new FakeLedgerBook();
    const story = new Story();
    const entry = adjustment(story, 5n);
    const [debit, credit] = entry.lines;
    if (debit === undefined || credit === undefined) throw new Error('two lines');
    const unbalanced = { ...entry, lines: [debit, { ...credit, amount: { amountMinor: 4n, currency: 'EUR' as const } }] };
    expect((await postAdjustment(TX, unbalanced, deps(book))).decision).toMatchObject({ outcome: 'refused', refused: 'UNBALANCED' });
    expect(book.balances.size).toBe(0);
  });
});
