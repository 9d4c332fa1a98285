import { BaseRpcContext } from '@nestjs/microservices';
import type { InboxMessage } from '@txn/messaging';
import type { SqlTransaction } from '@txn/sql';

/**
 * What an `@EventPattern` handler gets as its context (`@Ctx() inbox: InboxContext`): the inbox
 * transaction and where the message came from. Every write of the handler, including outbox rows
 * (`EventPublisher.publish(inbox.tx, …)`), goes through `tx`, so it commits with the inbox row and
 * before the offset. `tx` refuses statements once the handler's outcome is in.
 */
export class InboxContext extends BaseRpcContext<[InboxMessage, SqlTransaction]> {
  private failure: { readonly error: unknown } | undefined;

  constructor(message: InboxMessage, tx: SqlTransaction) {
    super([message, tx]);
  }

  get message(): InboxMessage {
    return this.args[0];
  }

  get tx(): SqlTransaction {
    return this.args[1];
  }

  get topic(): string {
    return this.message.topic;
  }

  get partition(): number {
    return this.message.partition;
  }

  get offset(): string {
    return this.message.offset;
  }

  get eventId(): string {
    return this.message.eventId;
  }

  get eventType(): string {
    return this.message.eventType;
  }

  get correlationId(): string | undefined {
    return this.message.correlationId;
  }

  get causationId(): string | undefined {
    return this.message.causationId;
  }

  /**
   * Called by InboxErrorInterceptor: Nest's exception filter replaces a handler's error with a
   * generic `{ status, message }` before the transport sees it, and the dead letter must name the
   * real error class and message.
   */
  recordFailure(error: unknown): void {
    this.failure ??= { error };
  }

  /** The handler's own error, if the interceptor saw one. */
  recordedFailure(): { readonly error: unknown } | undefined {
    return this.failure;
  }
}
