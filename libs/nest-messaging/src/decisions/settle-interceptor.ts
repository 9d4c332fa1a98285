import { Inject, Injectable, type CallHandler, type ExecutionContext, type FactoryProvider, type NestInterceptor } from '@nestjs/common';
import type { Actor } from '@txn/contracts';
import { mergeMap, type Observable } from 'rxjs';
import { InboxContext } from '../inbox-context';
import { EventPublisher } from '../event-publisher';
import type { AnyDecision, Cause, Decided } from './decided';
import { DecisionSettler, type DecisionSettlerOptions } from './decision-settler';

/** The service's DecisionSettler, provided by its module for SettleDecisions. */
export const DECISION_SETTLER = Symbol('txn-decision-settler');

function isDecided(value: unknown): value is Decided {
  return typeof value === 'object' && value !== null && 'decision' in value && 'subject' in value;
}

function actorOf(message: unknown): Actor {
  const actor = (message as { envelope?: { actor?: Actor } } | null)?.envelope?.actor;
  if (actor === undefined) throw new Error('the consumed message has no envelope.actor');
  return actor;
}

/**
 * The settle middleware around an `@EventPattern` handler: the handler returns what its use case
 * decided (`Decided`), and this settles it in the inbox transaction with the message as its cause,
 * handing the inbox transport its outcome. Put on a controller with
 * `@UseInterceptors(SettleDecisions)`; the module provides DECISION_SETTLER.
 */
@Injectable()
export class SettleDecisions implements NestInterceptor {
  constructor(@Inject(DECISION_SETTLER) private readonly settler: DecisionSettler) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const inbox: unknown = context.switchToRpc().getContext();
    if (!(inbox instanceof InboxContext)) return next.handle();
    const message: unknown = context.switchToRpc().getData();
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        if (!isDecided(result)) return result;
        const cause: Cause = { eventId: inbox.eventId, eventType: inbox.eventType, actor: actorOf(message) };
        return this.settler.settle(inbox.tx, result, cause);
      }),
    );
  }
}

/** The module provider of a service's settler: its store behind the one settle path, writing to the outbox through EventPublisher. */
export function decisionSettlerProvider<TDecision extends AnyDecision, TWrite>(options: Omit<DecisionSettlerOptions<TDecision, TWrite>, 'outbox'>): FactoryProvider<DecisionSettler<TDecision, TWrite>> {
  return { provide: DECISION_SETTLER, inject: [EventPublisher], useFactory: (outbox: EventPublisher) => new DecisionSettler({ ...options, outbox }) };
}
