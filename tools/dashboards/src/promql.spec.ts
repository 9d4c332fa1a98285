import { groupingLabels, metricNames, selectorLabels } from './promql';

describe('the metric names an expression selects', () => {
  it.each([
    ['a bare selector', 'up', ['up']],
    ['a selector with matchers and a range', 'rate(gateway_http_requests_total{code=~"5..", route="/x"}[$__rate_interval])', ['gateway_http_requests_total']],
    ['a recording rule (colons) divided by a number', 'slo:gateway_errors:ratio_rate1h / 0.001', ['slo:gateway_errors:ratio_rate1h']],
    [
      'a histogram quantile over a grouped sum',
      'histogram_quantile(0.99, sum by (service, le) (rate(outbox_publish_duration_seconds_bucket{service=~"$service"}[1m])))',
      ['outbox_publish_duration_seconds_bucket'],
    ],
    [
      'both sides of a vector match, not the grouping labels',
      'count(kafka_consumergroup_members{group=~".*"} == 0 and on (group) (sum by (group) (kafka_consumergroup_lag) > 0)) or vector(0)',
      ['kafka_consumergroup_members', 'kafka_consumergroup_lag'],
    ],
    ['not a function of no argument', 'time() - max(kafka_lag_exporter_last_success_timestamp_seconds)', ['kafka_lag_exporter_last_success_timestamp_seconds']],
    ['not an offset duration or an exponent', 'x_total offset 5m * 1e3', ['x_total']],
    ['not words inside strings', 'booking_decisions_total{message_type="RequestBooking", reason!="stale or rejected"}', ['booking_decisions_total']],
    ['not an aggregation written before its grouping', 'max without (instance) (booking_sagas_overdue)', ['booking_sagas_overdue']],
  ])('%s', (_case, expr, expected) => {
    expect(metricNames(expr)).toEqual(expected);
  });
});

describe('the labels an expression names', () => {
  it('gives each selector its matchers’ label names, whatever the matcher', () => {
    expect(selectorLabels('sum(rate(a_total{x="1", y=~"2|3"}[1m])) / sum(b{z!="", w!~"q"})')).toEqual([
      { metric: 'a_total', labels: ['x', 'y'] },
      { metric: 'b', labels: ['z', 'w'] },
    ]);
  });

  it('does not take a label-like word inside a matcher’s value for a label', () => {
    expect(selectorLabels('a{topic=~"x=y.dlq"}')).toEqual([{ metric: 'a', labels: ['topic'] }]);
  });

  it('lists the labels of by, without, on, ignoring and group_left clauses once each', () => {
    expect(groupingLabels('sum by (group, topic) (a) / on (group) group_left (state) max without (instance) (b) and ignoring (topic) c')).toEqual(['group', 'topic', 'state', 'instance']);
  });
});
