import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { builtDashboards, DASHBOARDS_DIR, panelLink, panelQueries } from '@txn/dashboards';
import { prometheusUrl, type PlatformConfig } from '@txn/infra-local';

export const DASHBOARDS_USAGE = `usage: ./platform dashboards [--dashboard UID]...
  every panel of the platform's Grafana dashboards (${DASHBOARDS_DIR}, generated from
  tools/dashboards) as a link into the local Prometheus' graph page: the same queries, every
  variable at "All", over the last hour. --dashboard keeps the dashboards whose uid contains UID
  (txn-consumer-lag, txn-messaging …). For Grafana itself: docs/operations/dashboards.md.`;

function values(args: readonly string[], name: string): string[] {
  return args.flatMap((arg, index) => (arg === name && args[index + 1] !== undefined ? [args[index + 1] ?? ''] : []));
}

/** Per dashboard its title and file, then per panel its title and its link. */
export function dashboardLinks(dashboards: readonly Dashboard[], prometheus: string): string[] {
  return dashboards.flatMap((dashboard) => [
    `${dashboard.title}  (${DASHBOARDS_DIR}/${dashboard.uid}.json)`,
    ...panelQueries(dashboard).flatMap((panel) => [`  ${panel.title}`, `    ${panelLink(prometheus, dashboard, panel)}`]),
    '',
  ]);
}

/** `./platform dashboards`; 0 printed, 2 usage. */
export function runDashboardsCommand(args: readonly string[], config: PlatformConfig): number {
  if (args.includes('--help')) {
    process.stdout.write(`${DASHBOARDS_USAGE}\n`);
    return 0;
  }
  const unknown = args.filter((arg, index) => arg.startsWith('-') && arg !== '--dashboard' && args[index - 1] !== '--dashboard');
  if (unknown.length > 0) {
    process.stderr.write(`dashboards: unknown option ${unknown.join(' ')}\n${DASHBOARDS_USAGE}\n`);
    return 2;
  }
  const wanted = values(args, '--dashboard');
  const dashboards = builtDashboards().filter((dashboard) => wanted.length === 0 || wanted.some((part) => (dashboard.uid ?? '').includes(part)));
  if (dashboards.length === 0) {
    process.stderr.write(`dashboards: none matches ${wanted.join(', ')}; uids: ${builtDashboards().map((dashboard) => dashboard.uid).join(', ')}\n`);
    return 2;
  }
  process.stdout.write(`${dashboardLinks(dashboards, prometheusUrl(config)).join('\n')}`);
  return 0;
}
