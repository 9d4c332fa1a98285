/**
 * The metrics the code registers, read from its sources: every `new Counter | Gauge | Histogram |
 * Summary({ name, labelNames, … })` of prom-client, and every recording rule of Prometheus' rule
 * files. Read from the sources rather than listed by hand, so a renamed metric breaks the
 * dashboards' check in the same change. A registration whose name this cannot work out is
 * reported, never skipped: a dashboard must not pass because the scan went blind.
 */

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

export type MetricKind = 'counter' | 'gauge' | 'histogram' | 'summary' | 'recording rule';

export interface RegisteredMetric {
  /** The name, or for a name built at run time (`${service}_decisions_total`) a pattern of it. */
  readonly name: string | RegExp;
  readonly kind: MetricKind;
  /** Label names, when the registration spells them out; undefined when they are only known at run time. */
  readonly labels: readonly string[] | undefined;
  readonly where: string;
}

export interface MetricScan {
  readonly metrics: readonly RegisteredMetric[];
  /** Registrations whose name the scan could not resolve: file and line. */
  readonly unresolved: readonly string[];
}

const CONSTRUCTOR = /new\s+(Counter|Gauge|Histogram|Summary)\s*(?:<[^>(]*>)?\s*\(\s*\{/g;
const LITERAL = /^(?:'([^']*)'|"([^"]*)"|`([^`]*)`)$/;

/** The text of the bracketed group that opens at `open` (brackets inside strings ignored). */
function balanced(text: string, open: number): string {
  const closing: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  let quote: string | undefined;
  for (let index = open; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (quote !== undefined) {
      if (char === '\\') index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"' || char === '`') quote = char;
    else if (closing[char] !== undefined) stack.push(closing[char] ?? '');
    else if (char === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return text.slice(open, index + 1);
    }
  }
  return text.slice(open);
}

/** Top-level comma-separated parts of a bracketed group's inside. */
function parts(group: string): string[] {
  const inner = group.slice(1, -1);
  const found: string[] = [];
  let start = 0;
  for (let index = 0; index < inner.length; index += 1) {
    const char = inner[index] ?? '';
    if ('([{\'"`'.includes(char)) index += balancedLength(inner, index) - 1;
    else if (char === ',') {
      found.push(inner.slice(start, index).trim());
      start = index + 1;
    }
  }
  const last = inner.slice(start).trim();
  return last === '' ? found : [...found, last];
}

function balancedLength(text: string, at: number): number {
  const char = text[at] ?? '';
  if ('([{'.includes(char)) return balanced(text, at).length;
  const end = text.indexOf(char, at + 1);
  return end < 0 ? text.length - at : end - at + 1;
}

function literal(expression: string): string | undefined {
  const match = LITERAL.exec(expression.trim());
  return match === null ? undefined : (match[1] ?? match[2] ?? match[3]);
}

/** `${…}` parts of a template become "any name characters". */
function nameOrPattern(text: string): string | RegExp {
  if (!text.includes('${')) return text;
  const escaped = text.split(/\$\{[^}]*\}/).map((piece) => piece.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[a-zA-Z0-9_:]+')}$`);
}

function stringsOf(arrayLiteral: string): string[] | undefined {
  if (!arrayLiteral.startsWith('[')) return undefined;
  const values = parts(arrayLiteral).map(literal);
  return values.every((value): value is string => value !== undefined) ? values : undefined;
}

/** The value of `key` in an object literal: `key: value`, or `key` alone (shorthand), as source text. */
function property(objectLiteral: string, key: string): string | undefined {
  for (const part of parts(objectLiteral)) {
    if (part === key) return key;
    const match = new RegExp(`^${key}\\s*:\\s*([\\s\\S]+)$`).exec(part);
    if (match !== null) return match[1]?.trim();
  }
  return undefined;
}

interface Resolution {
  /** Values an identifier takes: one for a constant, one per call for a function's parameter. */
  readonly values: readonly string[];
}

/** What an identifier at `at` stands for: a `const` of the file, or a parameter of the function around it (its callers' arguments). */
function resolveIdentifier(text: string, identifier: string, at: number): Resolution | undefined {
  // The nearest declaration before the use: a function's own `const name = …` over another function's.
  const constants = [...text.matchAll(new RegExp(`const\\s+${identifier}\\s*(?::[^=]+)?=\\s*('[^']*'|"[^"]*"|\`[^\`]*\`)`, 'g'))];
  const constant = constants.filter((candidate) => candidate.index < at).pop() ?? constants[0];
  if (constant !== undefined) return { values: [constant[1] ?? ''] };
  const functions = [...text.slice(0, at).matchAll(/function\s+(\w+)\s*\(/g)];
  const enclosing = functions[functions.length - 1];
  if (enclosing === undefined) return undefined;
  const name = enclosing[1] ?? '';
  const parameters = parts(balanced(text, enclosing.index + enclosing[0].length - 1)).map((parameter) => parameter.split(':')[0]?.trim() ?? '');
  const position = parameters.indexOf(identifier);
  if (position < 0) return undefined;
  const calls = [...text.matchAll(new RegExp(`(?<![\\w.])${name}\\s*\\(`, 'g'))].filter((call) => !text.slice(Math.max(0, call.index - 9), call.index).includes('function'));
  const values = calls.map((call) => parts(balanced(text, call.index + call[0].length - 1))[position] ?? '');
  return values.length === 0 ? undefined : { values };
}

const KINDS: Record<string, MetricKind> = { Counter: 'counter', Gauge: 'gauge', Histogram: 'histogram', Summary: 'summary' };

/** Source text of a property's value, each value it takes: itself when written out, its resolutions when an identifier. */
function valuesOf(text: string, expression: string | undefined, at: number): readonly string[] | undefined {
  if (expression === undefined) return undefined;
  if (!/^[A-Za-z_$][\w$]*$/.test(expression)) return [expression];
  return resolveIdentifier(text, expression, at)?.values;
}

function registrationsIn(file: SourceFile): MetricScan {
  const metrics: RegisteredMetric[] = [];
  const unresolved: string[] = [];
  for (const match of file.text.matchAll(CONSTRUCTOR)) {
    const where = `${file.path}:${file.text.slice(0, match.index).split('\n').length}`;
    const objectLiteral = balanced(file.text, match.index + match[0].length - 1);
    const names = valuesOf(file.text, property(objectLiteral, 'name'), match.index)?.map(literal);
    if (names === undefined || names.length === 0 || names.some((name) => name === undefined)) {
      unresolved.push(where);
      continue;
    }
    const labelExpression = property(objectLiteral, 'labelNames');
    // No labelNames: a metric without labels. One per call when both come from a helper's parameters.
    const labelValues = labelExpression === undefined ? names.map(() => '[]') : valuesOf(file.text, labelExpression, match.index);
    names.forEach((name, index) => {
      const labels = labelValues?.length === names.length ? labelValues[index] : labelValues?.length === 1 ? labelValues[0] : undefined;
      metrics.push({ name: nameOrPattern(name ?? ''), kind: KINDS[match[1] ?? ''] ?? 'gauge', labels: labels === undefined ? undefined : stringsOf(labels), where });
    });
  }
  return { metrics, unresolved };
}

/** Recording rules (`- record: name`) of a Prometheus rule file. */
function recordingRulesIn(file: SourceFile): RegisteredMetric[] {
  return [...file.text.matchAll(/^\s*-?\s*record:\s*['"]?([a-zA-Z_:][a-zA-Z0-9_:]*)/gm)].map((match) => ({
    name: match[1] ?? '',
    kind: 'recording rule' as const,
    labels: undefined,
    where: `${file.path}:${file.text.slice(0, match.index).split('\n').length}`,
  }));
}

/**
 * Every metric registered by the given TypeScript sources (only files that import prom-client
 * are read) and recording rules (files ending in .yml).
 */
export function registeredMetrics(files: readonly SourceFile[]): MetricScan {
  const scans = files.map((file) => {
    if (file.path.endsWith('.yml') || file.path.endsWith('.yaml')) return { metrics: recordingRulesIn(file), unresolved: [] };
    return /from\s+'prom-client'/.test(file.text) ? registrationsIn(file) : { metrics: [], unresolved: [] };
  });
  return { metrics: scans.flatMap((scan) => scan.metrics), unresolved: scans.flatMap((scan) => scan.unresolved) };
}

const SERIES_SUFFIXES: Partial<Record<MetricKind, readonly string[]>> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

/** The registration a series name belongs to: itself, or the histogram or summary whose _bucket/_sum/_count it is. */
export function registrationOf(metrics: readonly RegisteredMetric[], series: string): RegisteredMetric | undefined {
  const named = (metric: RegisteredMetric, name: string): boolean => (typeof metric.name === 'string' ? metric.name === name : metric.name.test(name));
  return (
    metrics.find((metric) => named(metric, series)) ??
    metrics.find((metric) => (SERIES_SUFFIXES[metric.kind] ?? []).some((suffix) => series.endsWith(suffix) && named(metric, series.slice(0, -suffix.length))))
  );
}
