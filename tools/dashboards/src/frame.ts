import {
  type Dashboard,
  type Panel,
  type RowPanel,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE, DATASOURCE_VARIABLE, GRID_COLUMNS, panelBuilder, type PanelSpec } from './panels';

/** Every dashboard of the platform carries this tag; the link bar lists the others by it. */
export const PLATFORM_TAG = 'txn-platform';
/** What a variable set to "All" matches: Grafana substitutes it into `=~"$var"` matchers, and so do the Prometheus links. */
export const ALL_VALUE = '.*';

/** A dashboard variable over the values of one label of one metric (Grafana's `label_values`). */
export interface LabelVariable {
  readonly name: string;
  readonly label: string;
  readonly metric: string;
  readonly labelName: string;
}

/** A row of the dashboard: a question an SRE asks, and the panels that answer it. */
export interface Section {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface DashboardDefinition {
  /** Also the file name under deploy/grafana/dashboards/ and the dashboard's URL in Grafana. */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly variables?: readonly LabelVariable[];
  readonly sections: readonly Section[];
}

function labelVariable(variable: LabelVariable): QueryVariableBuilder {
  const query = `label_values(${variable.metric}, ${variable.labelName})`;
  return new QueryVariableBuilder(variable.name)
    .label(variable.label)
    .datasource(DATASOURCE)
    .query({ query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 1 })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(ALL_VALUE)
    .current({ text: 'All', value: '$__all' });
}

/**
 * What every dashboard of ours shares: the Prometheus data source as a variable (Grafana's own
 * default, or whichever a user picks), the last hour refreshed every 30 s, one crosshair across
 * panels, and links to the other platform dashboards keeping time range and variables.
 */
function platformDashboard(frame: DashboardDefinition): DashboardBuilder {
  const dashboard = new DashboardBuilder(frame.title)
    .uid(frame.uid)
    .description(frame.description)
    .tags([PLATFORM_TAG])
    .timezone('browser')
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .tooltip(DashboardCursorSync.Crosshair)
    .link(new DashboardLinkBuilder('Platform dashboards').type(DashboardLinkType.Dashboards).tags([PLATFORM_TAG]).asDropdown(true).keepTime(true).includeVars(false))
    .withVariable(new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Prometheus').type('prometheus'));
  for (const variable of frame.variables ?? []) dashboard.withVariable(labelVariable(variable));
  return dashboard;
}

/**
 * Left to right, wrapping when a panel would cross the grid's right edge; a row starts a new line
 * and spans the width. (The SDK's own placement lets a panel overflow the line it starts.)
 */
function layOut(panels: readonly (Panel | RowPanel)[]): void {
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  const newLine = (): void => {
    y += lineHeight;
    x = 0;
    lineHeight = 0;
  };
  for (const panel of panels) {
    if (panel.type === 'row') {
      if (x > 0) newLine();
      panel.gridPos = { x: 0, y, w: GRID_COLUMNS, h: 1 };
      y += 1;
      continue;
    }
    // Every panel builder sets its span and height (panels.ts); a panel without them is a bug here.
    if (panel.gridPos === undefined) throw new Error(`panel '${panel.title}' has no size`);
    const { w, h } = panel.gridPos;
    if (x + w > GRID_COLUMNS) newLine();
    panel.gridPos = { x, y, w, h };
    x += w;
    lineHeight = Math.max(lineHeight, h);
  }
}

/**
 * The dashboard as Grafana stores it. Ids are given here, rows included, in the order of the
 * file: Grafana keys panel state (and links to a panel, `viewPanel=<id>`) by id, so they must be
 * unique and should not move when nothing moved.
 */
export function buildDashboard(definition: DashboardDefinition): Dashboard {
  const builder = platformDashboard(definition);
  for (const section of definition.sections) {
    builder.withRow(new RowBuilder(section.title));
    for (const panel of section.panels) builder.withPanel(panelBuilder(panel));
  }
  const dashboard = builder.build();
  const panels = dashboard.panels ?? [];
  layOut(panels);
  panels.forEach((panel, index) => {
    panel.id = index + 1;
  });
  return dashboard;
}
