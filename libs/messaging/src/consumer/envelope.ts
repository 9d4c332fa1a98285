import { MESSAGE_HEADERS } from '../headers';
import type { RawHeaders } from '../ports';
import { headerText } from '../tracing';

/** The envelope fields the runtime needs: ids for the inbox, logs and traces. Never payload fields. */
export interface EnvelopeIds {
  readonly eventId: string;
  readonly eventType: string;
  readonly correlationId: string | undefined;
  readonly causationId: string | undefined;
}

/** The decoded message has no usable envelope: nothing to dedup on, so it cannot be applied safely. */
export class InvalidEnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEnvelopeError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Ids from the value's `envelope` (the contract, the source of truth), falling back to the
 * headers for each field the value lacks.
 */
export function envelopeIdsOf(value: unknown, headers: RawHeaders, writerEventType: string): EnvelopeIds {
  const envelope = (typeof value === 'object' && value !== null ? (value as { envelope?: unknown }).envelope : undefined) as Record<string, unknown> | undefined;
  const eventId = text(envelope?.eventId) ?? headerText(headers, MESSAGE_HEADERS.eventId);
  if (eventId === undefined) throw new InvalidEnvelopeError('the message has no envelope.eventId and no event-id header');
  if (!UUID.test(eventId)) throw new InvalidEnvelopeError(`the event id ${JSON.stringify(eventId.slice(0, 64))} is not a UUID`);
  return {
    eventId: eventId.toLowerCase(),
    eventType: text(envelope?.eventType) ?? headerText(headers, MESSAGE_HEADERS.eventType) ?? writerEventType,
    correlationId: text(envelope?.correlationId) ?? headerText(headers, MESSAGE_HEADERS.correlationId),
    causationId: text(envelope?.causationId) ?? headerText(headers, MESSAGE_HEADERS.causationId),
  };
}
