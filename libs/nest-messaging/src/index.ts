export { InboxTransport, INBOX_TRANSPORT, DEFAULT_HANDLER_TIMEOUT_MS, HandlerRegistrationError, type InboxTransportOptions } from './inbox-transport';
export { InboxContext } from './inbox-context';
export { InboxErrorInterceptor } from './error-interceptor';
export { HandlerTimeoutError, InvalidHandlerResultError, NestHandlerError } from './handler-result';
export { TransactionClosedError } from './scoped-transaction';
export { contractReaderSchemas, type ContractCatalogue, type UnhandledEventTypePolicy } from './reader-schemas';
export { EnvelopeMismatchError, EventPublisher, type EnvelopedEvent, type EventPublisherOptions, type PendingEvent } from './event-publisher';
export { MessagingModule, MESSAGING_OPTIONS, OutboxRelayLifecycle, type MessagingModuleOptions, type RelayModuleOptions } from './messaging.module';
export {
  DECISION_SETTLER,
  DecisionSettler,
  decisionSettlerProvider,
  SettleDecisions,
  toPendingEvent,
  unappliedMessagesIn,
  UnknownEventTypeError,
  type AnyDecision,
  type AppliedDecision,
  type Cause,
  type Decided,
  type DecisionSettlerOptions,
  type DecisionStore,
  type EnvelopeFacts,
  type OutboxWriter,
  type SettleOptions,
  type Subject,
  type UnappliedRecord,
} from './decisions';
