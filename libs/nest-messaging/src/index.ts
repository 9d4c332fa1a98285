export { InboxTransport, INBOX_TRANSPORT, DEFAULT_HANDLER_TIMEOUT_MS, HandlerRegistrationError, type InboxTransportOptions } from './inbox-transport';
export { InboxContext } from './inbox-context';
export { InboxErrorInterceptor } from './error-interceptor';
export { HandlerTimeoutError, InvalidHandlerResultError, NestHandlerError } from './handler-result';
export { TransactionClosedError } from './scoped-transaction';
export { contractReaderSchemas, type ContractCatalogue, type UnhandledEventTypePolicy } from './reader-schemas';
export { EnvelopeMismatchError, EventPublisher, type EnvelopedEvent, type EventPublisherOptions, type PendingEvent } from './event-publisher';
export { MessagingModule, MESSAGING_OPTIONS, OutboxRelayLifecycle, type MessagingModuleOptions, type RelayModuleOptions } from './messaging.module';
