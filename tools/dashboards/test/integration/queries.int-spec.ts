import { findRootDir, loadPlatformConfig, prometheusUrl } from '@txn/infra-local';
import { builtDashboards, localExpression, panelLink, panelQueries, variableQueries } from '../../src';

// Every query of every dashboard, sent to the platform's real Prometheus (the one the test
// command brings up) as `./platform dashboards` links it: variables at "All", Grafana's intervals
// fixed. Prometheus parses and type-checks each one; an error (a typo, a range vector where an
// instant one belongs, a bad regular expression) fails here, whether or not the series have data
// yet. Whether the metrics exist is the checks' part (dashboards.check-spec.ts).

const ROOT = findRootDir(__dirname);
const QUERY_TIMEOUT_MS = 10_000;

interface PrometheusAnswer {
  readonly status: string;
  readonly errorType?: string;
  readonly error?: string;
  readonly data?: { readonly result?: readonly unknown[] } | readonly string[];
}

function base(): string {
  return prometheusUrl(loadPlatformConfig(process.env, ROOT));
}

async function ask(path: string): Promise<PrometheusAnswer> {
  const response = await fetch(`${base()}${path}`, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) });
  return (await response.json()) as PrometheusAnswer;
}

const dashboards = builtDashboards();

describe('the dashboards’ queries on the real Prometheus', () => {
  it.each(dashboards.map((dashboard) => [dashboard.uid, dashboard] as const))('%s: Prometheus accepts every panel query', async (_uid, dashboard) => {
    const refused: string[] = [];
    let answered = 0;
    for (const panel of panelQueries(dashboard)) {
      for (const query of panel.queries) {
        const expr = localExpression(query.expr, dashboard);
        const answer = await ask(`/api/v1/query?query=${encodeURIComponent(expr)}`);
        if (answer.status === 'success') answered += 1;
        else refused.push(`panel ${panel.id} '${panel.title}' ${query.refId}: ${answer.errorType ?? ''} ${answer.error ?? ''}\n    ${expr}`);
      }
    }
    expect(refused).toEqual([]);
    expect(answered).toBeGreaterThan(0);
  });

  it('lists every variable’s values the way Grafana does (label values of the metric)', async () => {
    const variables = dashboards.flatMap((dashboard) => variableQueries(dashboard).map((variable) => ({ uid: dashboard.uid, ...variable })));
    expect(variables.length).toBeGreaterThan(0);
    for (const variable of variables) {
      const [, metric, label] = /^label_values\(([^,]+),\s*(\w+)\)$/.exec(variable.query) ?? [];
      const where = `${variable.uid} $${variable.name}`;
      expect({ where, parsed: metric !== undefined && label !== undefined }).toEqual({ where, parsed: true });
      const answer = await ask(`/api/v1/label/${label}/values?match[]=${encodeURIComponent(metric ?? '')}`);
      expect({ where, status: answer.status, error: answer.error }).toEqual({ where, status: 'success', error: undefined });
    }
  });

  it("serves each panel's link: the graph page answers, with the panel's queries in it", async () => {
    const [dashboard] = dashboards;
    const [panel] = dashboard === undefined ? [] : panelQueries(dashboard);
    if (dashboard === undefined || panel === undefined) throw new Error('no dashboard with a panel to link');
    const link = panelLink(base(), dashboard, panel);
    const response = await fetch(link, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) });
    expect(response.status).toBe(200);
    expect(new URL(link).searchParams.get('g0.expr')).toBe(localExpression(panel.queries[0]?.expr ?? '', dashboard));
  });
});
