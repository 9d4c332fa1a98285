import { Registry } from 'prom-client';
import type { PastScheduleState, UnresolvedOutcomes } from '../ports';
import { MAX_PAST_SCHEDULE_COUNTED, registerPastScheduleMetrics } from './past-schedule-metric';

const NOW = new Date('2026-03-01T12:00:00Z');
const silent = { warn: () => undefined };

function registryWith(outcomes: UnresolvedOutcomes): Registry {
  const registry = new Registry();
  registerPastScheduleMetrics({ outcomes, metrics: registry, logger: silent, clock: () => NOW, overdueAfter_ms: 30_000, maxClaims: 10 });
  return registry;
}

async function values(registry: Registry): Promise<Record<string, number>> {
  const read: Record<string, number> = {};
  for (const metric of await registry.getMetricsAsJSON()) for (const value of metric.values) read[`${metric.name}${value.labels['state'] === undefined ? '' : `{${String(value.labels['state'])}}`}`] = value.value;
  return read;
}

describe('unknown outcomes past their schedule, as the operator sees them', () => {
  it('shows both states at zero when nothing is stuck, so an alert on > 0 has a series from the first scrape', async () => {
    const registry = registryWith({ pastSchedule: async () => ({ counts: new Map(), oldestSince: null }) });
    expect(await values(registry)).toEqual({ 'payment_outcome_unknown_past_schedule{overdue}': 0, 'payment_outcome_unknown_past_schedule{left_to_person}': 0, payment_outcome_unknown_oldest_seconds: 0 });
  });

  it('counts overdue and left-to-a-person payments and says how long the oldest has been unknown; asks with the overdue cutoff, the claim bound and the count limit', async () => {
    const asked: unknown[] = [];
    const registry = registryWith({
      pastSchedule: async (query) => {
        asked.push(query);
        return { counts: new Map<PastScheduleState, number>([['left_to_person', 2], ['overdue', 1]]), oldestSince: new Date(NOW.getTime() - 90_000) };
      },
    });
    expect(await values(registry)).toEqual({ 'payment_outcome_unknown_past_schedule{overdue}': 1, 'payment_outcome_unknown_past_schedule{left_to_person}': 2, payment_outcome_unknown_oldest_seconds: 90 });
    expect(asked).toEqual([{ overdueBefore: new Date(NOW.getTime() - 30_000), maxClaims: 10, limit: MAX_PAST_SCHEDULE_COUNTED }]);
  });

  it('keeps the last figures when the database cannot be read (readiness reports the outage, the alert does not flap)', async () => {
    let fail = false;
    const registry = registryWith({
      pastSchedule: async () => {
        if (fail) throw new Error('connection refused');
        return { counts: new Map<PastScheduleState, number>([['left_to_person', 1]]), oldestSince: new Date(NOW.getTime() - 10_000) };
      },
    });
    await values(registry);
    fail = true;
    expect(await values(registry)).toMatchObject({ 'payment_outcome_unknown_past_schedule{left_to_person}': 1, payment_outcome_unknown_oldest_seconds: 10 });
  });
});
