export { DASHBOARDS } from './dashboards';
export { buildDashboard, ALL_VALUE, PLATFORM_TAG, type DashboardDefinition, type LabelVariable, type Section } from './frame';
export { DATASOURCE_VARIABLE, GRID_COLUMNS, type PanelSpec, type Query } from './panels';
export { LOCAL_RANGE, localExpression, panelLink, panelQueries, prometheusGraphLink, variableQueries, type PanelQueries, type PanelQuery } from './queries';
export { builtDashboards, generatedFiles, DASHBOARDS_DIR, OPERATIONS_PAGE, PROVISIONING_DIR, type GeneratedFile } from './render';
export { committedPrometheusUrl, GENERATE_COMMAND, staleness, writeGenerated, type Staleness } from './files';
export { metricNames, selectorLabels, groupingLabels } from './promql';
export { registeredMetrics, registrationOf, type MetricKind, type MetricScan, type RegisteredMetric, type SourceFile } from './registered-metrics';
