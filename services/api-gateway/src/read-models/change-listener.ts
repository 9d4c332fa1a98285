import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { SERVICE_DEPENDENCIES, type ServiceDependencies } from '@txn/service-kit';
import { listKeyOf, READ_MODEL_CHANNEL } from './changes-channel';

const RECONNECT_MS = 1_000;

/** A request waiting for one row to change; `signal` resolves its current wait early. */
interface Waiter {
  signalled: boolean;
  wake: (() => void) | undefined;
}

/** Why a wait ended: the row was notified, the time ran out, or the instance is shutting down (stop waiting). */
export type WakeReason = 'notified' | 'timeout' | 'closed';

/** What a waiting request holds: `next` resolves when the row is notified, at the timeout, or at shutdown. */
export interface ChangeSubscription {
  next(timeout_ms: number): Promise<WakeReason>;
  close(): void;
}

/**
 * One dedicated connection per gateway instance LISTENing on the read models' channel (decision
 * 0025): a consumer of any instance NOTIFYs on commit, and every waiting request for that row is
 * woken here, without polling. If the connection drops, waiters still wake at their bounded
 * fallback (the caller re-reads then), and the listener reconnects.
 */
@Injectable()
export class ReadModelChangeListener implements OnModuleInit, OnApplicationShutdown {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private client: Client | undefined;
  private closed = false;
  private readonly logger: Logger;

  constructor(@Inject(SERVICE_DEPENDENCIES) private readonly dependencies: ServiceDependencies) {
    this.logger = dependencies.logger;
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    for (const set of this.waiters.values()) for (const waiter of set) waiter.wake?.();
    await this.client?.end().catch(() => undefined);
  }

  /** Subscribe before reading the row, so that a change between the read and the wait is not missed. */
  subscribe(key: string): ChangeSubscription {
    const waiter: Waiter = { signalled: false, wake: undefined };
    const set = this.waiters.get(key) ?? new Set<Waiter>();
    set.add(waiter);
    this.waiters.set(key, set);
    return {
      next: (timeout_ms) => this.nextOf(waiter, timeout_ms),
      close: () => {
        set.delete(waiter);
        if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
      },
    };
  }

  private nextOf(waiter: Waiter, timeout_ms: number): Promise<WakeReason> {
    if (this.closed) return Promise.resolve('closed');
    if (waiter.signalled) {
      waiter.signalled = false;
      return Promise.resolve('notified');
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish('timeout'), Math.max(0, timeout_ms));
      const finish = (reason: WakeReason): void => {
        clearTimeout(timer);
        waiter.wake = undefined;
        waiter.signalled = false;
        resolve(reason);
      };
      waiter.wake = () => finish(this.closed ? 'closed' : 'notified');
    });
  }

  private notified(payload: string | undefined): void {
    if (payload === undefined) return;
    const key = payload.slice(0, payload.lastIndexOf('|'));
    // The row's own waiters, and every list of the merchant's rows of that kind.
    for (const waiter of [...(this.waiters.get(key) ?? []), ...(this.waiters.get(listKeyOf(key)) ?? [])]) {
      waiter.signalled = true;
      waiter.wake?.();
    }
  }

  private async connect(): Promise<void> {
    const { database, serviceName } = this.dependencies.config;
    const client = new Client({ ...database, application_name: `${serviceName}-listen`, connectionTimeoutMillis: 5_000 });
    client.on('notification', (message) => this.notified(message.payload));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    await client.connect();
    await client.query(`LISTEN ${READ_MODEL_CHANNEL}`);
    this.client = client;
  }

  private lost(client: Client, error: unknown): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    this.logger.warn({ err: error }, 'read-model LISTEN connection lost; waiting requests fall back to re-reading until it is back');
    client.end().catch(() => undefined);
    this.reconnectLater();
  }

  private reconnectLater(): void {
    setTimeout(() => {
      if (this.closed) return;
      this.connect().catch((error: unknown) => {
        this.logger.warn({ err: error }, 'read-model LISTEN reconnect failed; trying again');
        this.reconnectLater();
      });
    }, RECONNECT_MS).unref();
  }
}
