import * as common from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsConfigBuilder, ThresholdsMode, type Threshold } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/**
 * The few panel shapes our dashboards use, on the SDK's builders: every panel and every query
 * names the dashboard's `$datasource` variable, so one provisioned dashboard works against any
 * Prometheus a container user points it at.
 */

export const DATASOURCE_VARIABLE = 'datasource';
export const DATASOURCE = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
/** The range of every rate(): Grafana's choice for the step and the scrape interval (at least 4 samples). */
export const RATE = '[$__rate_interval]';

/** Grafana's grid is 24 columns wide. */
export const GRID_COLUMNS = 24;
const HALF = GRID_COLUMNS / 2;
const THIRD = GRID_COLUMNS / 3;
const QUARTER = GRID_COLUMNS / 4;
const GRAPH_HEIGHT = 8;
const STAT_HEIGHT = 4;

export interface Query {
  readonly expr: string;
  /** Grafana's legend template, e.g. `{{group}} {{topic}}/{{partition}}`. */
  readonly legend?: string;
}

export interface PanelText {
  readonly title: string;
  /** What a person should read from it: shown as the panel's (i) tooltip and in docs/operations/dashboards.md. */
  readonly description: string;
  /** Grafana unit id: `s`, `short`, `percentunit`, `reqps`, `ops` … */
  readonly unit: string;
}

/** Red from `red` on, yellow from `yellow` on (when given), green below. */
export interface Bands {
  readonly yellow?: number;
  readonly red: number;
}

function thresholds(bands: Bands | undefined): ThresholdsConfigBuilder {
  const steps: Threshold[] = [{ value: null, color: 'green' }];
  if (bands?.yellow !== undefined) steps.push({ value: bands.yellow, color: 'yellow' });
  if (bands !== undefined) steps.push({ value: bands.red, color: 'red' });
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
}

/** refIds A, B, C … in the order given: Grafana requires them unique within a panel. */
function targets(queries: readonly Query[], shape: { instant: boolean; table: boolean }): DataqueryBuilder[] {
  return queries.map((query, index) => {
    const target = new DataqueryBuilder().refId(String.fromCharCode(65 + index)).datasource(DATASOURCE).expr(query.expr);
    if (query.legend !== undefined) target.legendFormat(query.legend);
    if (shape.instant) target.instant();
    else target.range();
    if (shape.table) target.format(PromQueryFormat.Table);
    return target;
  });
}

/** Columns a panel takes: half the width unless it says otherwise. */
export type Width = 'quarter' | 'third' | 'half' | 'full';
const COLUMNS: Record<Width, number> = { quarter: QUARTER, third: THIRD, half: HALF, full: GRID_COLUMNS };

/** A graph over time; `stacked` for parts of one whole (outcomes of one flow). */
export interface GraphSpec extends PanelText {
  readonly kind: 'graph';
  readonly queries: readonly Query[];
  readonly bands?: Bands;
  readonly stacked?: boolean;
  readonly width?: Width;
}

/** One figure now (the last value), coloured by its bands, with its recent trend behind it. */
export interface FigureSpec extends PanelText {
  readonly kind: 'figure';
  readonly query: Query;
  readonly bands?: Bands;
  /** A quarter of the width unless it says otherwise. */
  readonly width?: Width;
}

/** The current value of each series as rows: which group, which kind, how many. */
export interface TableSpec extends PanelText {
  readonly kind: 'table';
  readonly queries: readonly Query[];
  readonly width?: Width;
}

/** Bars of one figure per series (a funnel's stages), each the value at the end of the range. */
export interface BarsSpec extends PanelText {
  readonly kind: 'bars';
  readonly queries: readonly Query[];
  readonly bands?: Bands;
}

export type PanelSpec = GraphSpec | FigureSpec | TableSpec | BarsSpec;

/** What every panel builder of the SDK has in common (each is its own class). */
interface PanelFrame<T> {
  title(title: string): T;
  description(description: string): T;
  unit(unit: string): T;
  datasource(datasource: typeof DATASOURCE): T;
  span(columns: number): T;
  height(rows: number): T;
  thresholds(thresholds: ThresholdsConfigBuilder): T;
}

/** Title, tooltip, unit, the dashboard's datasource, size and colour bands: the same on every kind of panel. */
function framed<T extends PanelFrame<T>>(panel: T, spec: PanelText & { readonly bands?: Bands }, columns: number, rows: number): T {
  return panel.title(spec.title).description(spec.description).unit(spec.unit).datasource(DATASOURCE).span(columns).height(rows).thresholds(thresholds(spec.bands));
}

/** A figure is the last value of its series, not their mean: what is true now. */
const LAST_VALUE = (): common.ReduceDataOptionsBuilder => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

function graph(spec: GraphSpec): TimeseriesPanel {
  const panel = framed(new TimeseriesPanel(), spec, COLUMNS[spec.width ?? 'half'], GRAPH_HEIGHT)
    .min(0)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Bottom).calcs(['lastNotNull', 'max']))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (spec.bands !== undefined) panel.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  if (spec.stacked === true) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal)).fillOpacity(30);
  return panel.targets(targets(spec.queries, { instant: false, table: false }));
}

function figure(spec: FigureSpec): StatPanel {
  const panel = framed(new StatPanel(), spec, COLUMNS[spec.width ?? 'quarter'], STAT_HEIGHT)
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.Area)
    .reduceOptions(LAST_VALUE());
  return panel.targets(targets([spec.query], { instant: false, table: false }));
}

function table(spec: TableSpec): TablePanel {
  const panel = framed(new TablePanel(), spec, COLUMNS[spec.width ?? 'half'], GRAPH_HEIGHT)
    // An instant query's rows all carry the same evaluation time: a column of noise.
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true } } });
  return panel.targets(targets(spec.queries, { instant: true, table: true }));
}

function bars(spec: BarsSpec): BarGaugePanel {
  const panel = framed(new BarGaugePanel(), spec, COLUMNS.half, GRAPH_HEIGHT)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .reduceOptions(LAST_VALUE());
  return panel.targets(targets(spec.queries, { instant: true, table: false }));
}

/** The SDK builder of one panel spec. */
export function panelBuilder(spec: PanelSpec): TimeseriesPanel | StatPanel | TablePanel | BarGaugePanel {
  switch (spec.kind) {
    case 'graph':
      return graph(spec);
    case 'figure':
      return figure(spec);
    case 'table':
      return table(spec);
    case 'bars':
      return bars(spec);
  }
}
