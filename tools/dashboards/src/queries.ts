import type { Dashboard, Panel, RowPanel, VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * The queries of a dashboard as Grafana gets it (the built JSON, not the definitions): what the
 * Prometheus links, the docs and the tests read, so none of them can differ from what a Grafana
 * user sees.
 */

export interface PanelQuery {
  readonly refId: string;
  /** PromQL with Grafana's variables (`$group`, `$__rate_interval`) as written in the dashboard. */
  readonly expr: string;
  readonly legend: string | undefined;
}

export interface PanelQueries {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly queries: readonly PanelQuery[];
}

function isRow(panel: Panel | RowPanel): panel is RowPanel {
  return panel.type === 'row';
}

interface PrometheusTarget {
  readonly refId?: string;
  readonly expr?: string;
  readonly legendFormat?: string;
}

/** Every panel with queries, in the dashboard's order (rows' own nested panels included). */
export function panelQueries(dashboard: Dashboard): PanelQueries[] {
  const panels = (dashboard.panels ?? []).flatMap((panel) => (isRow(panel) ? (panel.panels ?? []) : [panel]));
  return panels.flatMap((panel) => {
    const queries = ((panel.targets ?? []) as PrometheusTarget[]).map((target) => {
      if (typeof target.expr !== 'string' || target.expr === '') throw new Error(`${dashboard.uid}: panel ${panel.id} '${panel.title}' has a target without a PromQL expression`);
      return { refId: target.refId ?? '', expr: target.expr, legend: target.legendFormat };
    });
    return queries.length === 0 ? [] : [{ id: panel.id ?? 0, title: panel.title ?? '', description: panel.description ?? '', queries }];
  });
}

/** The PromQL of each query variable (`label_values(metric, label)`), by variable name. */
export function variableQueries(dashboard: Dashboard): { readonly name: string; readonly query: string }[] {
  return (dashboard.templating.list ?? []).flatMap((variable: VariableModel) => {
    if (variable.type !== 'query') return [];
    const query = typeof variable.query === 'string' ? variable.query : (variable.query as { query?: string } | undefined)?.query;
    return query === undefined ? [] : [{ name: variable.name, query }];
  });
}

/** The range the Prometheus links show (`g0.range_input`), and so the local value of `$__range`. */
export const LOCAL_RANGE = '1h';

/**
 * Grafana's built-in interval variables, with the values the links and the integration test use.
 * `$__rate_interval` is Grafana's max(4 × scrape interval, step + scrape interval); with the
 * platform's 5 s scrape and an hour on the graph page, 1 m covers both and holds ≥ 4 samples.
 */
const BUILT_IN_LOCAL_VALUES: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: LOCAL_RANGE,
};

/** A dashboard variable's value when "All" is selected: what it means outside Grafana. */
function allValues(dashboard: Dashboard): Map<string, string> {
  return new Map(
    (dashboard.templating.list ?? []).flatMap((variable) => (variable.type === 'query' && variable.allValue !== undefined ? [[variable.name, variable.allValue] as const] : [])),
  );
}

/**
 * The expression Prometheus itself can run: every `$var` / `${var}` replaced by what Grafana sends
 * for "All" (the dashboard's own variables) or by the fixed values above (Grafana's built-ins). A
 * variable neither knows is a mistake in a dashboard, not something to send on.
 */
export function localExpression(expr: string, dashboard: Dashboard): string {
  const values = allValues(dashboard);
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = values.get(name) ?? BUILT_IN_LOCAL_VALUES[name];
    if (value === undefined) throw new Error(`${dashboard.uid}: no local value for ${match} in ${expr}`);
    return value;
  });
}

/** encodeURIComponent leaves ( ) ! * ' as they are; escaped too, a link survives Markdown and a terminal's link detection. */
function strictlyEncoded(text: string): string {
  return encodeURIComponent(text).replace(/[()!*']/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Prometheus' graph page with one graph per expression, over LOCAL_RANGE. */
export function prometheusGraphLink(prometheusUrl: string, expressions: readonly string[]): string {
  const graphs = expressions.map((expr, index) => `g${index}.expr=${strictlyEncoded(expr)}&g${index}.tab=0&g${index}.range_input=${LOCAL_RANGE}`);
  return `${prometheusUrl}/graph?${graphs.join('&')}`;
}

/** A panel's link: its queries with their variables resolved. */
export function panelLink(prometheusUrl: string, dashboard: Dashboard, panel: PanelQueries): string {
  return prometheusGraphLink(
    prometheusUrl,
    panel.queries.map((query) => localExpression(query.expr, dashboard)),
  );
}
