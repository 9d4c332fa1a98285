import { alertKey, alertTransitions, type TimelineSample } from './drill-timeline';

const sample = (t_s: number, alerts: TimelineSample['alerts']): TimelineSample => ({ t_s, at: '', figures: {}, alerts });

describe('drill timeline', () => {
  it("names an alert by its name and the labels that say which one, not its routing labels", () => {
    expect(alertKey({ alertname: 'SagasOverdue', service: 'booking', severity: 'page' })).toBe('SagasOverdue{service=booking}');
    expect(alertKey({ alertname: 'LagExporterStale' })).toBe('LagExporterStale');
  });

  it('finds when each alert pended, fired and was gone again', () => {
    const samples = [sample(0, {}), sample(10, { A: 'pending' }), sample(20, { A: 'firing', B: 'pending' }), sample(30, { A: 'firing' }), sample(40, {}), sample(50, { C: 'firing' })];
    expect(alertTransitions(samples)).toEqual([
      { alert: 'A', pending_s: 10, firing_s: 20, resolved_s: 40 },
      // Pended and went away without paging.
      { alert: 'B', pending_s: 20, firing_s: undefined, resolved_s: 30 },
      // Already firing when first seen (its pending happened between samples), still active at the end.
      { alert: 'C', pending_s: 50, firing_s: 50, resolved_s: undefined },
    ]);
  });
});
