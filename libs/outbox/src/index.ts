export { ensureOutboxSchema, OUTBOX_DDL, OUTBOX_TABLE } from './schema';
export { appendToOutbox, MAX_APPEND_ROWS_PER_STATEMENT, OUTBOX_WAKE_CHANNEL, outboxRowOf, type AppendOptions, type OutboxMessage, type OutboxRow as OutboxColumns } from './append';
export { captureTraceContext, restoreTraceContext, type StoredTraceContext } from './trace-context';
export {
  CLEANUP_BATCH_SIZE,
  CLEANUP_INTERVAL_MS,
  IDLE_POLL_MS,
  IDLE_SESSION_TIMEOUT_MS,
  MAX_BATCH_BYTES,
  MAX_BATCH_SIZE,
  OUTBOX_RELAY_LOCK_KEY,
  OutboxRelay,
  PENDING_COUNT_CAP,
  SENT_RETENTION_MS,
  STANDBY_RETRY_MS,
  type OutboxRelayOptions,
  type RelayIteration,
} from './relay/relay';
export { PUBLISH_BACKOFF_BASE_MS, PUBLISH_BACKOFF_MAX_MS, publishBackoff_ms } from './relay/backoff';
export type { OutboxRow } from './relay/batch';
