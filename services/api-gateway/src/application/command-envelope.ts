import { randomUUID } from 'node:crypto';
import type { Actor, Envelope } from '@txn/contracts';

/** The gateway's name as a producer of commands. */
export const GATEWAY_PRODUCER = 'api-gateway';

/** Who asks, for whom: the caller's merchant and its envelope actor. */
export interface CommandCaller {
  readonly merchantId: string;
  readonly actor: Actor;
}

/** A command's envelope: keyed and correlated by the booking (the saga's id), version 0 (commands have none). */
export function commandEnvelope(eventType: string, bookingId: string, caller: CommandCaller, now: Date): Envelope {
  return {
    eventId: randomUUID(),
    eventType,
    occurredAt: now,
    producer: GATEWAY_PRODUCER,
    aggregateId: bookingId,
    aggregateVersion: 0n,
    correlationId: bookingId,
    causationId: null,
    actor: caller.actor,
    tenantId: caller.merchantId,
  };
}
