export type { AnyDecision, AppliedDecision, Cause, Decided, DecisionStore, SettleOptions, Subject, UnappliedRecord } from './decided';
export { DecisionSettler, type DecisionSettlerOptions, type OutboxWriter } from './decision-settler';
export { toPendingEvent, UnknownEventTypeError, type EnvelopeFacts } from './envelopes';
export { unappliedMessagesIn } from './unapplied-messages';
export { DECISION_SETTLER, decisionSettlerProvider, SettleDecisions } from './settle-interceptor';
