import { claimInboxEntries, recordInboxOutcomes } from './inbox';
import type { Applied, ApplyInScope, ApplyMessage } from './pipeline';

/**
 * Dedup middleware: the sub-batch's event ids are claimed in the inbox in one statement; a message
 * whose id is already there (or repeated within the batch) is a `duplicate` and never reaches the
 * handler; the handlers' outcomes are recorded in one more statement. The inbox row commits with
 * the handler's effects, so it exists exactly when they do.
 */
export function deduplicated(consumerGroup: string, next: ApplyMessage): ApplyInScope {
  return async (scope, items) => {
    const claimed = await claimInboxEntries(
      scope.tx,
      consumerGroup,
      items.map(({ record, message }) => ({ eventId: message.eventId, eventType: message.eventType, topic: record.topic, partition: record.partition, offset: record.offset })),
    );
    const results: Applied[] = [];
    for (const item of items) {
      // An event id twice in one batch (a relay duplicate next to its original) is claimed once.
      if (claimed.delete(item.message.eventId)) results.push(await next(scope, item));
      else results.push({ item, outcome: 'duplicate', duration_ms: 0, traceId: '' });
    }
    await recordInboxOutcomes(
      scope.tx,
      consumerGroup,
      results.flatMap((r) => (r.outcome === 'duplicate' ? [] : [{ eventId: r.item.message.eventId, outcome: r.outcome }])),
    );
    return results;
  };
}
