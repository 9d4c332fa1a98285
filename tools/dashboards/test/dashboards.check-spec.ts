import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  DATASOURCE_VARIABLE,
  GENERATE_COMMAND,
  GRID_COLUMNS,
  builtDashboards,
  groupingLabels,
  localExpression,
  metricNames,
  panelQueries,
  registeredMetrics,
  registrationOf,
  selectorLabels,
  staleness,
  variableQueries,
  type MetricScan,
  type SourceFile,
} from '../src';

// The dashboards in the test command, no infrastructure needed: the committed JSON, provisioning
// files and docs are what the definitions generate (a change to a dashboard shows in review as a
// change of its JSON, and nobody edits the JSON alone); every dashboard is well-formed for Grafana;
// and every metric and label a query names is one the code registers. That the queries also parse
// and type-check is Prometheus' to say: test/integration/queries.int-spec.ts.

const root = join(__dirname, '..', '..', '..');
const dashboards = builtDashboards();

/** Labels Prometheus adds to every series it scrapes: job and instance, and the services' own (tools/infra-local's scrape configuration). */
const TARGET_LABELS = ['job', 'instance', 'service', 'component'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'generated']);

function sourceFiles(dir: string): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sourceFiles(path);
    if (!entry.name.endsWith('.ts') || /\.(spec|int-spec|check-spec)\.ts$/.test(entry.name)) return [];
    return [{ path: relative(root, path), text: readFileSync(path, 'utf8') }];
  });
}

/** What registers metrics: the services', libraries' and tools' sources (the lag exporter is a tool), and Prometheus' recording rules. */
function scanRegistrations(): MetricScan {
  const packages = ['services', 'libs', 'tools'].flatMap((folder) => readdirSync(join(root, folder)).map((name) => join(root, folder, name, 'src')));
  const sources = packages.flatMap((dir) => {
    try {
      return sourceFiles(dir);
    } catch {
      return [];
    }
  });
  const rulesDir = join(root, 'deploy', 'prometheus', 'rules');
  const rules = readdirSync(rulesDir)
    .filter((name) => name.endsWith('.rules.yml'))
    .map((name) => ({ path: `deploy/prometheus/rules/${name}`, text: readFileSync(join(rulesDir, name), 'utf8') }));
  return registeredMetrics([...sources, ...rules]);
}

/** Every PromQL expression of a dashboard: its panels' queries and its variables' label_values (as the selector Grafana sends). */
function expressions(dashboard: Dashboard): { readonly where: string; readonly expr: string }[] {
  return [
    ...panelQueries(dashboard).flatMap((panel) => panel.queries.map((query) => ({ where: `${dashboard.uid} panel ${panel.id} '${panel.title}' ${query.refId}`, expr: query.expr }))),
    ...variableQueries(dashboard).map((variable) => ({ where: `${dashboard.uid} variable ${variable.name}`, expr: variable.query.replace(/^label_values\((.+),\s*\w+\)$/, '$1') })),
  ];
}

function overlapping(a: Panel | RowPanel, b: Panel | RowPanel): boolean {
  const [p, q] = [a.gridPos, b.gridPos];
  if (p === undefined || q === undefined) return false;
  return p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
}

describe('dashboards', () => {
  it(`the committed dashboards, provisioning files and docs are what the definitions generate (else: ${GENERATE_COMMAND})`, () => {
    expect(staleness(root)).toEqual({ outdated: [], orphans: [] });
  });

  it('every dashboard has its own uid, and Prometheus as a datasource variable that every panel and query uses', () => {
    expect(new Set(dashboards.map((dashboard) => dashboard.uid)).size).toBe(dashboards.length);
    for (const dashboard of dashboards) {
      expect(dashboard.templating.list).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'datasource', name: DATASOURCE_VARIABLE, query: 'prometheus' })]));
      for (const panel of (dashboard.panels ?? []).filter((candidate) => candidate.type !== 'row') as Panel[]) {
        expect({ panel: panel.title, datasource: panel.datasource }).toEqual({ panel: panel.title, datasource: { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` } });
        for (const target of (panel.targets ?? []) as { datasource?: unknown }[]) expect(target.datasource).toEqual(panel.datasource);
      }
    }
  });

  it.each(dashboards.map((dashboard) => [dashboard.uid, dashboard] as const))('%s: unique panel ids, and panels on the grid, inside it and not on top of each other', (_uid, dashboard) => {
    const panels = dashboard.panels ?? [];
    const ids = panels.map((panel) => panel.id);
    expect(ids.every((id) => Number.isInteger(id) && (id ?? 0) > 0)).toBe(true);
    expect(new Set(ids).size).toBe(panels.length);
    for (const panel of panels) {
      const grid = panel.gridPos;
      expect({ panel: panel.title, grid: grid !== undefined && [grid.x, grid.y, grid.w, grid.h].every(Number.isInteger) }).toEqual({ panel: panel.title, grid: true });
      if (grid === undefined) continue;
      expect({ panel: panel.title, inside: grid.x >= 0 && grid.y >= 0 && grid.w >= 1 && grid.h >= 1 && grid.x + grid.w <= GRID_COLUMNS }).toEqual({ panel: panel.title, inside: true });
    }
    const overlaps = panels.flatMap((a, index) => panels.slice(index + 1).filter((b) => overlapping(a, b)).map((b) => `${a.title} / ${b.title}`));
    expect(overlaps).toEqual([]);
  });

  it('every query can run outside Grafana: no variable left once the dashboard’s and Grafana’s own are given values', () => {
    for (const dashboard of dashboards) {
      for (const { where, expr } of expressions(dashboard)) expect({ where, local: localExpression(expr, dashboard) }).toEqual({ where, local: expect.not.stringContaining('$') });
    }
  });
});

describe('the metrics and labels the dashboards name', () => {
  const scan = scanRegistrations();

  it('are read from every registration in the sources (none whose name the scan cannot work out)', () => {
    expect(scan.unresolved).toEqual([]);
    // The scan's own canaries: a plain registration, one through a helper's parameters, a recording rule.
    for (const name of ['kafka_consumergroup_lag', 'messaging_consumer_messages_total', 'slo:gateway_errors:ratio_rate5m']) expect(registrationOf(scan.metrics, name)).toBeDefined();
  });

  it('every metric a query selects is one the code registers (or a recording rule), by its registered name', () => {
    const unknown = dashboards.flatMap((dashboard) => expressions(dashboard).flatMap(({ where, expr }) => metricNames(expr).filter((name) => registrationOf(scan.metrics, name) === undefined).map((name) => `${where}: ${name}`)));
    expect(unknown).toEqual([]);
  });

  it("every label a query matches on is one of that metric's labels, and every label it groups by is one of its metrics'", () => {
    const problems = dashboards.flatMap((dashboard) =>
      expressions(dashboard).flatMap(({ where, expr }) => {
        const known = (metric: string): readonly string[] | undefined => {
          const registration = registrationOf(scan.metrics, metric);
          if (registration?.labels === undefined) return undefined;
          return [...registration.labels, ...TARGET_LABELS, ...(metric.endsWith('_bucket') ? ['le'] : [])];
        };
        const matched = selectorLabels(expr).flatMap(({ metric, labels }) => labels.filter((label) => known(metric)?.includes(label) === false).map((label) => `${where}: ${metric} has no label ${label}`));
        const everyLabel = metricNames(expr).map(known);
        const grouped = everyLabel.includes(undefined) ? [] : groupingLabels(expr).filter((label) => !everyLabel.some((labels) => labels?.includes(label))).map((label) => `${where}: no metric of it has the label ${label}`);
        return [...matched, ...grouped];
      }),
    );
    expect(problems).toEqual([]);
  });
});
