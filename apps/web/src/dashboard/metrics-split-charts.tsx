import type { MetricsBody } from '@flywheel/spec';
import { type UseQueryResult, useQueries } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useApi } from '../api/api-context.js';
import { type ChartOption, EChart } from '../charts/echart.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { formatCompact, formatCost, formatCount, formatDuration } from '../format/format-number.js';
import { useThemeColors } from '../theme/theme-colors.js';
import type { ResolvedTimeRange } from '../time/time-range.js';
import { type MetricsSeries, toMetricsSeries } from './metrics-series.js';
import { type TimeSeriesSpec, timeChartOption } from './time-chart-option.js';

/** What the series are split by; kept in the URL as `?split=`. */
export type MetricsSplit = 'model' | 'prompt_version';

/** Series drawn at most: the busiest models or versions of the range. */
export const maxSplitSeries = 5;

const splits: Array<{ id: MetricsSplit; label: string; noun: string }> = [
  { id: 'model', label: 'By model', noun: 'model' },
  { id: 'prompt_version', label: 'By prompt version', noun: 'prompt version' },
];

/**
 * The busiest models (or prompt versions) of the range, each its own series over time: requests,
 * cost and latency p95. One time-grouped metrics query per series, filtered to that model or version.
 */
export function MetricsSplitCharts({
  range,
  byModel,
  byPrompt,
}: {
  range: ResolvedTimeRange;
  byModel: UseQueryResult<MetricsBody, Error>;
  byPrompt: UseQueryResult<MetricsBody, Error>;
}) {
  const [params, setParams] = useSearchParams();
  const split: MetricsSplit = params.get('split') === 'prompt_version' ? 'prompt_version' : 'model';
  const groups = split === 'model' ? byModel : byPrompt;
  const keys = useMemo(() => splitKeys(groups.data), [groups.data]);
  const from = range.from.toISOString();
  const to = range.to.toISOString();
  const { bucket } = range;
  const { client, scope } = useApi();
  const queries = useQueries({
    queries: keys.map((key) => ({
      queryKey: ['api', scope, 'metrics', 'time', from, to, bucket, split, key],
      queryFn: () =>
        client.metrics({
          from,
          to,
          group_by: 'time',
          bucket,
          ...(split === 'model' ? { model: key } : { prompt_version: key }),
        }),
    })),
  });
  const noun = splits.find((option) => option.id === split)!.noun;

  const choose = (next: MetricsSplit) =>
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        if (next === 'model') updated.delete('split');
        else updated.set('split', next);
        return updated;
      },
      { replace: true },
    );

  const failed = groups.error ?? queries.find((query) => query.isError)?.error;
  const pending = groups.isPending || queries.some((query) => query.isPending);
  const bodies = queries.map((query) => query.data);

  return (
    <section className="panel split-panel" aria-labelledby="split-title" data-split={split}>
      <div className="split-header">
        <h2 id="split-title" className="panel-title">
          Over time, by {noun}
        </h2>
        <fieldset className="segmented">
          <legend className="visually-hidden">Split the series by</legend>
          {splits.map((option) => (
            <button
              key={option.id}
              type="button"
              aria-pressed={split === option.id}
              onClick={() => choose(option.id)}
            >
              {option.label}
            </button>
          ))}
        </fieldset>
      </div>
      {failed ? (
        <ErrorMessage
          title="Could not load the series"
          error={failed}
          onRetry={() => {
            if (groups.isError) void groups.refetch();
            for (const query of queries) if (query.isError) void query.refetch();
          }}
        />
      ) : pending ? (
        <LoadingState label="Loading series…" />
      ) : keys.length === 0 ? (
        <p className="muted">
          No calls in this range name a {noun}
          {split === 'prompt_version' ? ' (calls made with a registry prompt do)' : ''}.
        </p>
      ) : (
        <SplitCharts keys={keys} bodies={bodies as MetricsBody[]} range={range} noun={noun} />
      )}
    </section>
  );
}

function SplitCharts({
  keys,
  bodies,
  range,
  noun,
}: {
  keys: string[];
  bodies: MetricsBody[];
  range: ResolvedTimeRange;
  noun: string;
}) {
  const colors = useThemeColors();
  const charts = useMemo(() => {
    const series = bodies.map((body) => toMetricsSeries(body, range));
    const times = series[0]?.times ?? [];
    const per = `per ${range.bucket}`;
    const lines = (values: (one: MetricsSeries) => Array<number | null>): TimeSeriesSpec[] =>
      series.map((one, index) => ({
        name: keys[index]!,
        kind: 'line',
        color: colors.series[index % colors.series.length]!,
        values: values(one),
      }));
    const list: Array<{ id: string; title: string; label: string; option: ChartOption }> = [
      {
        id: 'split-requests',
        title: 'Requests',
        label: `Requests per ${noun}, ${per}`,
        option: timeChartOption({
          times,
          colors,
          formatValue: formatCount,
          formatAxis: formatCompact,
          series: lines((one) => one.requests),
        }),
      },
      {
        id: 'split-cost',
        title: 'Cost',
        label: `Cost in US dollars per ${noun}, ${per}`,
        option: timeChartOption({ times, colors, formatValue: formatCost, series: lines((one) => one.cost) }),
      },
      {
        id: 'split-latency',
        title: 'Latency p95',
        label: `Latency p95 per ${noun}, ${per}`,
        option: timeChartOption({
          times,
          colors,
          formatValue: formatDuration,
          series: lines((one) => one.latencyP95),
        }),
      },
    ];
    return list;
  }, [keys, bodies, range, colors, noun]);
  return (
    <div className="chart-grid">
      {charts.map((chart) => (
        <div key={chart.id} data-chart={chart.id}>
          <h3 className="split-chart-title">{chart.title}</h3>
          <EChart option={chart.option} label={chart.label} />
        </div>
      ))}
    </div>
  );
}

/** The busiest keys of a grouped answer (rows come busiest first), leaving out "none". */
export function splitKeys(body: MetricsBody | undefined): string[] {
  if (!body) return [];
  const keys: string[] = [];
  for (const row of body.data) {
    if (row.key !== null && row.requests > 0) keys.push(row.key);
    if (keys.length === maxSplitSeries) break;
  }
  return keys;
}
