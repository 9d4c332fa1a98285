import type { Actor } from '@txn/contracts';
import { isSuspenseTarget, suspenseClearingEntry, type LedgerBreak } from '@txn/ledger-domain';
import type { DecisionSettler } from '@txn/nest-messaging';
import type { IterationOutcome } from '@txn/service-kit';
import type { SqlTransaction, Transactions } from '@txn/sql';
import type { Logger } from 'pino';
import type { LedgerDecision } from '../ledger-decided';
import { postAdjustment } from '../post-adjustment/post-adjustment';
import type { ExplanationAnswer, ExplanationBook, ExplanationRequest, LedgerBook } from '../ports';

/** A request the database keeps refusing (not the domain: that is an answer) is answered FAILED after this many tries. */
export const MAX_EXPLANATION_ATTEMPTS = 3;

export interface ExplainBreaksDeps {
  readonly transactions: Transactions;
  readonly book: LedgerBook;
  readonly explanations: ExplanationBook;
  readonly settler: DecisionSettler<LedgerDecision, undefined>;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  readonly clock: () => Date;
}

const refused = (detail: string): ExplanationAnswer => ({ outcome: 'REFUSED', entryId: null, detail });

/** A person explaining a break is the actor of what it posts: their id, as they gave it. */
function personOf(request: ExplanationRequest): Actor {
  return { type: 'USER', id: request.explainedBy.trim() };
}

/** The adjusting entry out of SUSPENSE, posted through the one settle path (EntryPosted to the outbox, by the person). */
async function clearSuspense(tx: SqlTransaction, deps: ExplainBreaksDeps, raised: LedgerBreak, request: ExplanationRequest, now: Date): Promise<ExplanationAnswer> {
  if (request.targetCode === null) return refused(`break ${raised.breakId} booked money to SUSPENSE: name the account it belongs to (--to)`);
  const target = request.targetCode.toUpperCase();
  if (!isSuspenseTarget(target)) return refused(`"${request.targetCode}" is not an account suspense may be moved to`);
  const suspense = raised.suspenseEntryId === null ? undefined : await deps.book.loadEntry(tx, raised.suspenseEntryId);
  const entry = suspenseClearingEntry(raised, suspense, { target, explainedBy: request.explainedBy, reason: request.reason });
  if (entry.outcome !== 'applied') return refused(`${entry.refused}: ${entry.detail}`);
  const decided = await postAdjustment(tx, entry.value, { book: deps.book, actor: personOf(request), now });
  const outcome = await deps.settler.settle(tx, decided, undefined, { messageType: 'SuspenseExplanation' });
  if (outcome === 'rejected') return refused(decided.decision.outcome === 'refused' ? `${decided.decision.refused}: ${decided.decision.detail}` : 'the adjusting entry was refused');
  // 'stale': the entry is already in the journal (only this path writes it): the break is explained by it.
  return { outcome: 'EXPLAINED', entryId: entry.value.entryId, detail: `moved to ${target}` };
}

/** One request, decided by the break's state under its lock. */
async function explainOne(tx: SqlTransaction, deps: ExplainBreaksDeps, request: ExplanationRequest, now: Date): Promise<ExplanationAnswer> {
  const state = await deps.explanations.lockBreakState(tx, request.breakId);
  const raised = state === undefined ? undefined : await deps.book.readBreak(tx, request.breakId);
  if (state === undefined || raised === undefined) return refused(`there is no break ${request.breakId}`);
  if (state.explained) return { outcome: 'ALREADY_EXPLAINED', entryId: state.entryId, detail: `break ${raised.breakId} was explained before` };
  if (raised.suspenseEntryId === null && request.targetCode !== null) return refused(`break ${raised.breakId} (${raised.kind}) booked nothing to SUSPENSE: there is no money to move, explain it without --to`);
  const answer = raised.suspenseEntryId === null ? { outcome: 'EXPLAINED' as const, entryId: null, detail: 'no money to move' } : await clearSuspense(tx, deps, raised, request, now);
  if (answer.outcome === 'EXPLAINED') await deps.explanations.markExplained(tx, raised.breakId, { by: request.explainedBy.trim(), text: request.reason.trim(), entryId: answer.entryId, at: now });
  return answer;
}

/**
 * Answers the oldest waiting explanation request, in one transaction with what it posts: the
 * adjusting entry out of SUSPENSE (by the person who asked), the break marked EXPLAINED, the
 * answer on the request. A refusal is an answer too; an error is retried at most
 * MAX_EXPLANATION_ATTEMPTS times, then the request is answered FAILED with the error.
 * Returns whether a request was answered (another may wait).
 */
export async function answerOneExplanationRequest(deps: ExplainBreaksDeps): Promise<boolean> {
  let taken: ExplanationRequest | undefined;
  try {
    return await deps.transactions(async (tx) => {
      [taken] = await deps.explanations.lockUnanswered(tx, 1);
      if (taken === undefined) return false;
      const now = deps.clock();
      const answer = await explainOne(tx, deps, taken, now);
      await deps.explanations.answer(tx, taken.requestId, answer, now);
      deps.logger.info({ requestId: taken.requestId, breakId: taken.breakId, outcome: answer.outcome, entryId: answer.entryId, explainedBy: taken.explainedBy }, 'answered a suspense explanation request');
      return true;
    });
  } catch (error) {
    if (taken === undefined) throw error;
    const detail = (error as Error).message;
    deps.logger.warn({ requestId: taken.requestId, breakId: taken.breakId, attempt: taken.attempts + 1, error: detail }, 'suspense explanation request failed');
    await deps.explanations.countFailedAttempt(taken.requestId, detail, deps.clock(), MAX_EXPLANATION_ATTEMPTS);
    return true;
  }
}

/** As periodic work: a request answered makes another worth looking for at once. */
export async function explainBreaksIteration(deps: ExplainBreaksDeps): Promise<IterationOutcome> {
  return (await answerOneExplanationRequest(deps)) ? 'more-due' : 'caught-up';
}
