import { Client, type ClientConfig } from 'pg';
import { fromPgClient, type SqlTransaction } from '@txn/sql';
import { OUTBOX_WAKE_CHANNEL } from '../append';

/**
 * The relay's one dedicated PostgreSQL session. It holds the session advisory lock that makes
 * this instance the service's only active relay, and runs the relay's statements, so that a
 * relay whose session died can no longer mark rows sent: it loses the lock and its writes at once.
 */
export interface SessionSettings {
  readonly database: ClientConfig;
  readonly applicationName: string;
  readonly connectTimeout_ms: number;
  readonly statementTimeout_ms: number;
  /**
   * PostgreSQL ends a session idle this long (PostgreSQL ≥ 14). A relay process that hangs
   * without dying stops querying; this frees its lock so a standby takes over. Must exceed the
   * longest pause between the relay's statements (backoff ceiling, one publish).
   */
  readonly idleSessionTimeout_ms: number;
}

export interface RelaySession {
  readonly sql: SqlTransaction;
  /** True once the connection failed or was closed; the relay then opens a new session. */
  isLost(): boolean;
  tryLock(key: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function openSession(settings: SessionSettings, events: { onNotify(): void; onLost(error: Error): void }): Promise<RelaySession> {
  const client = new Client({
    ...settings.database,
    application_name: settings.applicationName,
    connectionTimeoutMillis: settings.connectTimeout_ms,
    statement_timeout: settings.statementTimeout_ms,
    // Client-side bound too: a half-open TCP connection would otherwise wait forever.
    query_timeout: settings.statementTimeout_ms + 5_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    options: `-c idle_session_timeout=${settings.idleSessionTimeout_ms}`,
  });
  let lost = false;
  const markLost = (error: Error): void => {
    if (lost) return;
    lost = true;
    events.onLost(error);
  };
  // Without an 'error' listener, a server-side termination would crash the process.
  client.on('error', markLost);
  client.on('end', () => markLost(new Error('relay session ended')));
  client.on('notification', (message) => {
    if (message.channel === OUTBOX_WAKE_CHANNEL) events.onNotify();
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_WAKE_CHANNEL}`);
  } catch (error) {
    lost = true;
    await client.end().catch(() => undefined);
    throw error;
  }
  return {
    sql: fromPgClient(client),
    isLost: () => lost,
    async tryLock(key) {
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]);
      return result.rows[0]?.locked === true;
    },
    async close() {
      lost = true;
      // Closing the session releases the advisory lock: the standby's next try gets it.
      await client.end().catch(() => undefined);
    },
  };
}
