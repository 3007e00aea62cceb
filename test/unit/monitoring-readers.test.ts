import { describe, expect, it } from 'vitest';
import { metricNamesIn, PromqlReadError, selectorsIn } from '../support/promql-metric-names.ts';

/**
 * The two readers the dashboard-consistency test stands on
 * (test/unit/monitoring-dashboard.test.ts): if either misread, that test could
 * pass over a query naming a metric the service does not export.
 */

describe('metric names in a PromQL expression', () => {
  it('when a selector has label matchers and a range, then only the metric is named', () => {
    expect(
      metricNamesIn('sum by (job) (rate(permitline_http_requests_total{route!~"/health/.*", status=~"5.."}[5m]))'),
    ).toEqual(['permitline_http_requests_total']);
  });

  it('when Grafana variables stand in for label values and ranges, then they are not metrics', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le) (rate(permitline_agent_response_seconds_bucket{instance=~"$instance"}[$__rate_interval])))',
      ),
    ).toEqual(['permitline_agent_response_seconds_bucket']);
    expect(metricNamesIn('sum(increase(x_total{job="${job}"}[${__range}]))')).toEqual(['x_total']);
  });

  it('when vector matching names labels, then on, ignoring, group_left and their lists are skipped', () => {
    expect(
      metricNamesIn('a_total / on (job, instance) group_left (model) b_info offset 1h + ignoring(le) c unless d'),
    ).toEqual(['a_total', 'b_info', 'c', 'd']);
    expect(metricNamesIn('a * on(job) group_left b')).toEqual(['a', 'b']);
  });

  it('when keywords, numbers, durations and comparisons surround selectors, then none of them is a metric', () => {
    expect(
      metricNamesIn(
        'max_over_time(permitline_model_circuit_open[2m]) == 1 and y > bool 0.5 or z >= 1e-3 # a comment naming nothing',
      ),
    ).toEqual(['permitline_model_circuit_open', 'y', 'z']);
    expect(metricNamesIn('max_over_time(rate(m_total[5m])[30m:1m]) * 0x10 - Inf')).toEqual(['m_total']);
  });

  it('when an aggregation comes before or after its grouping, or takes a parameter, then only metrics are named', () => {
    expect(metricNamesIn('sum(rate(a[1m])) by (route) / count without (le) (b)')).toEqual(['a', 'b']);
    expect(metricNamesIn('topk(3, sort_desc(c)) + count_values("v", d) + quantile(0.9, e)')).toEqual(['c', 'd', 'e']);
  });

  it('when recording-rule names have colons, or the name is a __name__ matcher, then those are the metrics', () => {
    expect(metricNamesIn('job:http_errors:rate5m / job:http_requests:rate5m')).toEqual([
      'job:http_errors:rate5m',
      'job:http_requests:rate5m',
    ]);
    expect(metricNamesIn('{__name__="up", job="permitline"} == 0')).toEqual(['up']);
  });

  it('when a label value holds braces, brackets and quotes, then the string is skipped whole', () => {
    expect(metricNamesIn(String.raw`f{route=~"/a{2}\"]", kind='b}'} + g`)).toEqual(['f', 'g']);
  });

  it('when a selector has matchers, then each is returned with its label, operator and value', () => {
    expect(
      selectorsIn('sum(a_total{outcome="ivr_fallback", status=~"failed|gave-up"}) / b{route!~"/health/.*"} + c'),
    ).toEqual([
      {
        metric: 'a_total',
        matchers: [
          { label: 'outcome', op: '=', value: 'ivr_fallback' },
          { label: 'status', op: '=~', value: 'failed|gave-up' },
        ],
      },
      { metric: 'b', matchers: [{ label: 'route', op: '!~', value: '/health/.*' }] },
      { metric: 'c', matchers: [] },
    ]);
    expect(selectorsIn('{__name__="up", job!="x"}')).toEqual([
      { metric: 'up', matchers: [{ label: 'job', op: '!=', value: 'x' }] },
    ]);
  });

  it('when the expression cannot be read, then it is an error rather than a silent pass', () => {
    expect(() => metricNamesIn('rate(x{job="a}[5m])')).toThrow(PromqlReadError);
    expect(() => metricNamesIn('sum by job (x)')).toThrow(PromqlReadError);
    expect(() => metricNamesIn('x ; y')).toThrow(PromqlReadError);
  });
});
