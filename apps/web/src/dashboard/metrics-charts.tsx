import type { MetricsBody } from '@flywheel/spec';
import { useMemo } from 'react';
import { type ChartOption, EChart } from '../charts/echart.js';
import {
  formatCompact,
  formatCost,
  formatCount,
  formatDuration,
  formatRatio,
} from '../format/format-number.js';
import { useThemeColors } from '../theme/theme-colors.js';
import type { ResolvedTimeRange } from '../time/time-range.js';
import { toMetricsSeries } from './metrics-series.js';
import { timeChartOption } from './time-chart-option.js';

/** Requests, tokens, cost, latency and error rate over the range, one chart each, in the theme's colours. */
export function MetricsCharts({ body, range }: { body: MetricsBody; range: ResolvedTimeRange }) {
  const colors = useThemeColors();
  const charts = useMemo(() => {
    const series = toMetricsSeries(body, range);
    const { times } = series;
    const [first, second, third, fourth, fifth] = colors.series;
    const per = `per ${range.bucket}`;
    const list: Array<{ id: string; title: string; label: string; option: ChartOption }> = [
      {
        id: 'requests',
        title: 'Requests',
        label: `Requests and errors ${per}`,
        option: timeChartOption({
          times,
          colors,
          formatValue: formatCount,
          formatAxis: formatCompact,
          series: [
            {
              name: 'Succeeded',
              kind: 'bar',
              stack: 'requests',
              color: first!,
              values: series.requests.map((requests, index) => requests - (series.errors[index] ?? 0)),
            },
            { name: 'Errors', kind: 'bar', stack: 'requests', color: colors.error, values: series.errors },
          ],
        }),
      },
      {
        id: 'tokens',
        title: 'Tokens',
        label: `Input and output tokens ${per}`,
        option: timeChartOption({
          times,
          colors,
          formatValue: formatCount,
          formatAxis: formatCompact,
          series: [
            { name: 'Input', kind: 'line', color: second!, values: series.inputTokens },
            { name: 'Output', kind: 'line', color: third!, values: series.outputTokens },
          ],
        }),
      },
      {
        id: 'cost',
        title: 'Cost',
        label: `Cost in US dollars ${per}`,
        option: timeChartOption({
          times,
          colors,
          formatValue: formatCost,
          series: [{ name: 'Cost (USD)', kind: 'bar', color: fourth!, values: series.cost }],
        }),
      },
      {
        id: 'latency',
        title: 'Latency',
        label: `Latency p50 and p95 ${per}`,
        option: timeChartOption({
          times,
          colors,
          formatValue: formatDuration,
          series: [
            { name: 'p50', kind: 'line', color: fifth!, values: series.latencyP50 },
            { name: 'p95', kind: 'line', color: first!, values: series.latencyP95 },
          ],
        }),
      },
      {
        id: 'error-rate',
        title: 'Error rate',
        label: `Share of requests that failed, ${per}`,
        option: timeChartOption({
          times,
          colors,
          formatValue: formatRatio,
          series: [{ name: 'Error rate', kind: 'line', color: colors.error, values: series.errorRate }],
        }),
      },
    ];
    return list;
  }, [body, range, colors]);

  return (
    <div className="chart-grid">
      {charts.map((chart) => (
        <section key={chart.id} className="panel" aria-labelledby={`chart-${chart.id}`} data-chart={chart.id}>
          <h2 id={`chart-${chart.id}`} className="panel-title">
            {chart.title}
          </h2>
          <EChart option={chart.option} label={chart.label} />
        </section>
      ))}
    </div>
  );
}
