/**
 * Just enough of PromQL's lexical structure to say which metrics and labels an expression names,
 * so that a dashboard naming a metric nobody registers fails in review instead of showing "No
 * data" at 3 a.m. Not a parser: Prometheus itself judges the syntax (the integration test).
 */

/** Words that stand where a metric name could but are not one. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'Inf', 'NaN']);
const IDENTIFIER = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;
const STRING = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const GROUPING = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

function withoutStrings(expr: string): string {
  return expr.replace(STRING, '""');
}

/** Every metric name the expression selects, in order of appearance, once each. */
export function metricNames(expr: string): string[] {
  const bare = withoutStrings(expr)
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(GROUPING, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(IDENTIFIER)) {
    const [word] = match;
    const start = match.index;
    const before = bare[start - 1] ?? ' ';
    // 1e3, 5m after offset: the tail of a number or a duration, not a name.
    if (/[0-9.]/.test(before)) continue;
    // sum(…), rate(…), sum by (…) (…) once the grouping is gone: a function or an aggregation.
    if (/^\s*\(/.test(bare.slice(start + word.length))) continue;
    if (KEYWORDS.has(word)) continue;
    names.add(word);
  }
  return [...names];
}

export interface SelectorLabels {
  readonly metric: string;
  readonly labels: readonly string[];
}

/** The label names of each `metric{label="…", …}` selector's matchers. */
export function selectorLabels(expr: string): SelectorLabels[] {
  const found: SelectorLabels[] = [];
  const masked = withoutStrings(expr);
  for (const match of masked.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)) {
    const [, metric = '', matchers = ''] = match;
    const labels = [...matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1] ?? '');
    found.push({ metric, labels });
  }
  return found;
}

/** Label names an expression groups or matches by: by (…), without (…), on (…), ignoring (…), group_left/right (…). */
export function groupingLabels(expr: string): string[] {
  const labels = new Set<string>();
  for (const match of withoutStrings(expr).matchAll(GROUPING)) {
    for (const label of (match[1] ?? '').split(',')) if (label.trim() !== '') labels.add(label.trim());
  }
  return [...labels];
}
