import { registeredMetrics, registrationOf } from './registered-metrics';

const IMPORT = "import { Counter, Gauge, Histogram, type Registry } from 'prom-client';\n";

function scan(text: string) {
  return registeredMetrics([{ path: 'src/metrics.ts', text: IMPORT + text }]);
}

describe('the metrics the sources register', () => {
  it('reads the name, kind and labels of a registration written out', () => {
    const { metrics, unresolved } = scan("const c = new Counter({ name: 'a_total', help: 'A, by x', labelNames: ['x', 'y'], registers: [r] });");
    expect(metrics).toEqual([{ name: 'a_total', kind: 'counter', labels: ['x', 'y'], where: 'src/metrics.ts:2' }]);
    expect(unresolved).toEqual([]);
  });

  it('reads a registration spread over lines, with a type argument and no labels', () => {
    const { metrics } = scan("this.g = new Gauge<'stage'>({\n  name: 'b_seconds',\n  help: 'B { with braces }',\n  registers: [registry],\n});");
    expect(metrics).toEqual([expect.objectContaining({ name: 'b_seconds', kind: 'gauge', labels: [] })]);
  });

  it('follows a name held in a constant', () => {
    const { metrics } = scan("const METRIC = 'c_total';\nfunction make(r: Registry) { return new Counter({ name: METRIC, help: 'C', labelNames: ['k'], registers: [r] }); }");
    expect(metrics).toEqual([expect.objectContaining({ name: 'c_total', labels: ['k'] })]);
  });

  it("follows a helper's parameters to every call of it, name and labels together", () => {
    const { metrics } = scan(
      [
        'function counter(registry: Registry, name: string, help: string, labelNames: readonly string[]): Counter<string> {',
        '  return new Counter({ name, help, labelNames, registers: [registry] });',
        '}',
        "const m = counter(registry, 'd_total', 'D, by a, b', ['a', 'b']);",
        "const f = counter(\n  registry,\n  'e_total',\n  'E',\n  ['c'],\n);",
      ].join('\n'),
    );
    expect(metrics.map((metric) => [metric.name, metric.labels])).toEqual([
      ['d_total', ['a', 'b']],
      ['e_total', ['c']],
    ]);
  });

  it('turns a name built at run time into a pattern that matches its instances', () => {
    const { metrics } = scan("function make(service: string) { const name = `${service.replace(/[^a-z]/g, '_')}_decisions_total`; return new Counter({ name, help: 'x', registers: [] }); }");
    expect(registrationOf(metrics, 'booking_decisions_total')).toEqual(expect.objectContaining({ kind: 'counter' }));
    expect(registrationOf(metrics, 'booking_decisions')).toBeUndefined();
  });

  it("takes a histogram's _bucket, _sum and _count series as its own, and no other suffix", () => {
    const { metrics } = scan("new Histogram({ name: 'h_seconds', help: 'H', registers: [] }); new Counter({ name: 'k_total', help: 'K', registers: [] });");
    for (const series of ['h_seconds_bucket', 'h_seconds_sum', 'h_seconds_count']) expect(registrationOf(metrics, series)?.name).toBe('h_seconds');
    expect(registrationOf(metrics, 'h_seconds_total')).toBeUndefined();
    expect(registrationOf(metrics, 'k_total_count')).toBeUndefined();
  });

  it('reports a registration whose name it cannot work out instead of skipping it', () => {
    const { metrics, unresolved } = scan("new Gauge({ name: names[0], help: 'G', registers: [] });");
    expect(metrics).toEqual([]);
    expect(unresolved).toEqual(['src/metrics.ts:2']);
  });

  it('ignores files that do not use prom-client, and reads recording rules from rule files', () => {
    const { metrics } = registeredMetrics([
      { path: 'src/other.ts', text: "new Counter({ name: 'not_prometheus_total' });" },
      { path: 'rules/slo.rules.yml', text: 'groups:\n  - name: g\n    rules:\n      - record: slo:errors:ratio_rate5m\n        expr: sum(rate(x[5m]))\n' },
    ]);
    expect(metrics).toEqual([{ name: 'slo:errors:ratio_rate5m', kind: 'recording rule', labels: undefined, where: 'rules/slo.rules.yml:4' }]);
  });
});
