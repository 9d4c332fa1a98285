export { MESSAGE_HEADERS } from './headers';
export { createKafkaPublisher, type KafkaPublisherOptions } from './kafka/publisher';
export { createKafkaConsumerTransport, type KafkaConsumerTransportOptions } from './kafka/consumer-transport';
export type {
  BatchControl,
  ConsumedRecord,
  ConsumerTransport,
  OutgoingRecord,
  PartitionBatch,
  RawHeaders,
  RawRecord,
  RecordPublisher,
  TopicSpec,
} from './ports';
export { AvroCodec, type AvroCodecOptions, type AvroSchemaDefinition, type AvroTypeOptions, type DecodedMessage, type ReaderSchemaFor } from './avro/codec';
export {
  BadMagicByteError,
  CorruptPayloadError,
  IncompatibleSchemaError,
  InvalidValueError,
  NoReaderSchemaError,
  SchemaNotRegisteredError,
  SchemaRegistryUnavailableError,
  UndecodableMessageError,
  UnknownSchemaIdError,
} from './avro/errors';
export { extractTraceContext, headerText, injectTraceContext, type TraceContextHeaders } from './tracing';
export {
  createInboxConsumer,
  DatabaseUnavailableError,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  MAX_BATCH_SIZE,
  type InboxConsumer,
  type InboxConsumerHooks,
  type InboxConsumerOptions,
  type InboxMessage,
  type MessageHandler,
} from './consumer/runtime';
export { ensureInboxSchema, INBOX_TABLE, type HandlerOutcome, type MessageOutcome } from './consumer/inbox';
export {
  DEFAULT_INBOX_RETENTION_DAYS,
  INBOX_PRUNE_BATCH_SIZE,
  INBOX_PRUNE_INTERVAL_MS,
  inboxRetention_ms,
  InboxPruner,
  MAX_INBOX_PRUNE_BATCHES,
  MAX_INBOX_RETENTION_DAYS,
  MIN_INBOX_RETENTION_DAYS,
  pruneInboxBatch,
  type InboxPrune,
  type InboxPrunerOptions,
} from './consumer/inbox-pruner';
export { InvalidEnvelopeError } from './consumer/envelope';
export { backoffDelay_ms, DEFAULT_RETRY_POLICY, MAX_RETRY_ATTEMPTS, type RetryPolicy } from './consumer/retry-policy';
export {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_PARTITIONS,
  DEAD_LETTER_RETENTION_MS,
  deadLetterTopicOf,
  parseDeadLetterTopic,
  readDeadLetterInfo,
  REPLAYED_FROM_HEADER,
  type DeadLetterInfo,
} from './consumer/dead-letter';
export {
  acknowledgeDeadLetters,
  deadLetterPosition,
  listDeadLetters,
  pendingOf,
  replayDeadLetters,
  replayerGroupOf,
  showDeadLetter,
  MAX_REPLAY_MESSAGES,
  MAX_SHOW_MESSAGES,
  type AcknowledgeReport,
  type DeadLetterAdminOptions,
  type DeadLetterPosition,
  type DeadLetterTopicSummary,
  type ParkedMessage,
  type ReplayReport,
} from './dlq/dead-letters';
