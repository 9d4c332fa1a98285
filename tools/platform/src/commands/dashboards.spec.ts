import { builtDashboards } from '@txn/dashboards';
import { dashboardLinks } from './dashboards';

describe('./platform dashboards', () => {
  const [dashboard] = builtDashboards().filter((candidate) => candidate.uid === 'txn-consumer-lag');

  it('names each dashboard and its file, then each panel with a link into the graph page of the Prometheus it is given', () => {
    if (dashboard === undefined) throw new Error('the consumer-lag dashboard is gone');
    const lines = dashboardLinks([dashboard], 'http://127.0.0.1:18590');
    expect(lines[0]).toBe('Kafka consumer lag  (deploy/grafana/dashboards/txn-consumer-lag.json)');
    expect(lines[1]).toBe('  Oldest unread record');
    const link = new URL((lines[2] ?? '').trim());
    expect(`${link.origin}${link.pathname}`).toBe('http://127.0.0.1:18590/graph');
    expect(link.searchParams.get('g0.expr')).toBe('max(kafka_consumergroup_lag_seconds{group=~".*"})');
    expect(link.searchParams.get('g0.range_input')).toBe('1h');
    // Every panel, rows left out: a title line and a link line each.
    const panels = (dashboard.panels ?? []).filter((panel) => panel.type !== 'row');
    expect(lines.filter((line) => line.startsWith('    http://'))).toHaveLength(panels.length);
  });
});
