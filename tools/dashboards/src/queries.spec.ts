import { buildDashboard, type DashboardDefinition } from './frame';
import { localExpression, panelLink, panelQueries, prometheusGraphLink, variableQueries } from './queries';

const DEFINITION: DashboardDefinition = {
  uid: 'test',
  title: 'Test',
  description: 'a dashboard for the tests',
  variables: [{ name: 'group', label: 'Group', metric: 'kafka_consumergroup_lag', labelName: 'group' }],
  sections: [
    {
      title: 'One',
      panels: [
        { kind: 'figure', title: 'F', description: 'f', unit: 's', query: { expr: 'max(kafka_consumergroup_lag_seconds{group=~"$group"})' } },
        {
          kind: 'graph',
          title: 'G',
          description: 'g',
          unit: 'ops',
          queries: [
            { expr: 'sum by (group) (rate(x_total{group=~"${group}"}[$__rate_interval]))', legend: '{{group}}' },
            { expr: 'sum(increase(x_total[$__range]))' },
          ],
        },
      ],
    },
  ],
};

describe('the queries of a built dashboard', () => {
  const dashboard = buildDashboard(DEFINITION);

  it('lists every panel with queries, rows left out, with its refIds and legends', () => {
    expect(panelQueries(dashboard)).toEqual([
      { id: 2, title: 'F', description: 'f', queries: [{ refId: 'A', expr: 'max(kafka_consumergroup_lag_seconds{group=~"$group"})', legend: undefined }] },
      {
        id: 3,
        title: 'G',
        description: 'g',
        queries: [
          { refId: 'A', expr: 'sum by (group) (rate(x_total{group=~"${group}"}[$__rate_interval]))', legend: '{{group}}' },
          { refId: 'B', expr: 'sum(increase(x_total[$__range]))', legend: undefined },
        ],
      },
    ]);
    expect(variableQueries(dashboard)).toEqual([{ name: 'group', query: 'label_values(kafka_consumergroup_lag, group)' }]);
  });

  it('runs outside Grafana with every variable set to All and the built-in intervals fixed', () => {
    const [, graph] = panelQueries(dashboard);
    expect(graph?.queries.map((query) => localExpression(query.expr, dashboard))).toEqual(['sum by (group) (rate(x_total{group=~".*"}[1m]))', 'sum(increase(x_total[1h]))']);
  });

  it('refuses a variable it has no value for rather than sending it to Prometheus', () => {
    expect(() => localExpression('x{a="$nobody"}', dashboard)).toThrow(/no local value for \$nobody/);
  });

  it("links to Prometheus' graph page with one graph per query, each over the hour", () => {
    const [figure] = panelQueries(dashboard);
    expect(figure && panelLink('http://127.0.0.1:18590', dashboard, figure)).toBe(
      'http://127.0.0.1:18590/graph?g0.expr=max%28kafka_consumergroup_lag_seconds%7Bgroup%3D~%22.%2A%22%7D%29&g0.tab=0&g0.range_input=1h',
    );
    const link = new URL(prometheusGraphLink('http://p:1', ['a + b', 'count(c{d="e&f\'"}) * 2']));
    expect([link.searchParams.get('g0.expr'), link.searchParams.get('g1.expr'), link.searchParams.get('g1.range_input')]).toEqual(['a + b', 'count(c{d="e&f\'"}) * 2', '1h']);
  });
});
