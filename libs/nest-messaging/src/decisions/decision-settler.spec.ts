import { Writable } from 'node:stream';
import { refusal, stale, type Decision, type DomainEvent } from '@txn/domain-kernel';
import type { SqlTransaction } from '@txn/sql';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { PendingEvent } from '../event-publisher';
import type { AppliedDecision, Cause, Decided, DecisionStore, UnappliedRecord } from './decided';
import { DecisionSettler, type OutboxWriter } from './decision-settler';

const BOOKING = '7b0ad2a4-1f0e-4a43-9d6c-3f6c8f1d2e10';
const CAUSE: Cause = { eventId: 'a3d2c1b0-9e8f-4a7b-8c6d-5e4f3a2b1c0d', eventType: 'CancelBooking', actor: { type: 'USER', id: 'customer-1' } };
const subject = { aggregateId: BOOKING, tenantId: 'merchant-1', correlationId: BOOKING, status: 'HELD' };
const tx: SqlTransaction = { query: () => Promise.reject(new Error('the settler itself runs no SQL')) };

type State = { readonly status: string };
type TestDecision = Decision<State, DomainEvent>;

function event(eventType: string): DomainEvent {
  return { eventType, aggregateId: BOOKING, aggregateVersion: 2n, occurredAt: new Date(0), actor: { type: 'SERVICE', id: 'booking' }, payload: {} };
}

/** Typed fakes: the settler's collaborators, recording what they were asked to do, in order. */
function harness() {
  const calls: string[] = [];
  const stored: AppliedDecision<TestDecision, string>[] = [];
  const unapplied: UnappliedRecord[] = [];
  const published: PendingEvent[] = [];
  const store: DecisionStore<TestDecision, string> = {
    storeApplied: async (_tx, applied) => void (calls.push('store'), stored.push(applied)),
    recordUnapplied: async (_tx, record) => void (calls.push('unapplied'), unapplied.push(record)),
  };
  const outbox: OutboxWriter = { publishAll: async (_tx, events) => void (calls.push('outbox'), published.push(...events)) };
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
  const metrics = new Registry();
  const settler = new DecisionSettler<TestDecision, string>({ service: 'booking', outbox, store, logger: pino(sink), metrics });
  const settle = (decided: Decided<TestDecision, string>, cause: Cause | undefined, options = {}) => settler.settle(tx, decided, cause, options);
  const counted = async (labels: Record<string, string>): Promise<number> => {
    const metric = await metrics.getSingleMetric('booking_decisions_total')?.get();
    return metric?.values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted))?.value ?? 0;
  };
  return { settle, calls, stored, unapplied, published, logs, counted };
}

describe('the one settle path', () => {
  it('stores an applied decision, then appends its events with envelopes naming the message as their cause, and counts it', async () => {
    const h = harness();
    const decision: TestDecision = { outcome: 'applied', state: { status: 'CANCELLED' }, events: [event('BookingCancelled')] };
    expect(await h.settle({ decision, subject, write: 'the row read' }, CAUSE)).toBe('applied');
    expect(h.calls).toEqual(['store', 'outbox']);
    expect(h.stored[0]).toMatchObject({ write: 'the row read', causationId: CAUSE.eventId, subject });
    expect(h.published.map((pending) => pending.event.envelope)).toEqual([
      expect.objectContaining({ eventType: 'BookingCancelled', producer: 'booking', tenantId: 'merchant-1', correlationId: BOOKING, causationId: CAUSE.eventId }),
    ]);
    expect(await h.counted({ message_type: 'CancelBooking', outcome: 'applied' })).toBe(1);
  });

  it('without a message, names the given causation (a PSP answer names the event that asked for the call)', async () => {
    const h = harness();
    const decision: TestDecision = { outcome: 'applied', state: { status: 'CONFIRMED' }, events: [event('BookingConfirmed')] };
    await h.settle({ decision, subject, write: '' }, undefined, { messageType: 'PSP_CAPTURE', causationId: CAUSE.eventId });
    expect(h.published[0]?.event.envelope.causationId).toBe(CAUSE.eventId);
    await h.settle({ decision, subject, write: '' }, undefined, { messageType: 'HoldExpiry' });
    expect(h.published[1]?.event.envelope.causationId).toBeNull();
    expect(await h.counted({ message_type: 'HoldExpiry', outcome: 'applied' })).toBe(1);
  });

  it('records a stale message for a person, logs and counts it with the reason, and writes nothing else', async () => {
    const h = harness();
    expect(await h.settle({ decision: stale({ status: 'CANCELLED' }, 'ALREADY_CANCELLED'), subject, write: '' }, CAUSE)).toBe('stale');
    expect(h.calls).toEqual(['unapplied']);
    expect(h.unapplied).toEqual([{ cause: CAUSE, subject, outcome: 'stale', reason: 'ALREADY_CANCELLED' }]);
    expect(h.logs).toEqual([expect.objectContaining({ msg: 'booking ignored a stale message', eventId: CAUSE.eventId, reason: 'ALREADY_CANCELLED', status: 'HELD' })]);
    expect(await h.counted({ message_type: 'CancelBooking', outcome: 'stale', reason: 'ALREADY_CANCELLED' })).toBe(1);
  });

  it('answers a refusal `rejected`, appends what announces it, and records it only when a message caused it', async () => {
    const h = harness();
    const refused = { ...refusal('UNKNOWN_BOOKING', 'no such booking'), events: [event('LedgerRejected')] };
    expect(await h.settle({ decision: refused, subject: { ...subject, status: null }, write: '' }, CAUSE)).toBe('rejected');
    expect(h.calls).toEqual(['unapplied', 'outbox']);
    expect(h.logs[0]).toMatchObject({ msg: 'booking refused a message', reason: 'UNKNOWN_BOOKING' });
    expect(await h.settle({ decision: refusal('UNKNOWN_BOOKING', 'no such booking'), subject, write: '' }, undefined, { messageType: 'HoldExpiry' })).toBe('rejected');
    expect(h.unapplied).toHaveLength(1);
    expect(await h.counted({ outcome: 'rejected', reason: 'UNKNOWN_BOOKING' })).toBe(1);
  });
});
