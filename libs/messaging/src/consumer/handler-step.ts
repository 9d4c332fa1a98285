import { HANDLER_OUTCOMES } from './inbox';
import type { ApplyMessage, MessageHandler } from './pipeline';

/** The handler returned something other than an outcome: a bug, retried and then parked. */
export class InvalidOutcomeError extends Error {
  constructor(outcome: unknown) {
    super(`handler returned ${JSON.stringify(outcome)}; expected one of ${HANDLER_OUTCOMES.join(', ')}`);
    this.name = 'InvalidOutcomeError';
  }
}

/** The innermost step: the business handler, in the scope's transaction, its outcome checked and timed. */
export function handlerStep(handler: MessageHandler): ApplyMessage {
  return async (scope, item) => {
    const started_ms = performance.now();
    const outcome = await handler(scope.tx, item.message);
    if (!HANDLER_OUTCOMES.includes(outcome)) throw new InvalidOutcomeError(outcome);
    return { item, outcome, duration_ms: performance.now() - started_ms, traceId: '' };
  };
}
