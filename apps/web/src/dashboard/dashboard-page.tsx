import { keepPreviousData, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/api-context.js';
import { useApiQuery } from '../api/use-api-query.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { PageHeader } from '../components/page-header.js';
import { TimeRangePicker } from '../components/time-range-picker.js';
import { describeTimeRange } from '../time/time-range.js';
import { useTimeRange } from '../time/use-time-range.js';
import { KpiTiles } from './kpi-tiles.js';
import { MetricsCharts } from './metrics-charts.js';
import { MetricsGroupTable } from './metrics-group-table.js';
import { MetricsSplitCharts } from './metrics-split-charts.js';

/**
 * The Dashboard: requests, tokens, cost, latency and errors of the project's generations (gateway
 * calls and ingested ones) over a time range, in total, over time, by model and by prompt version.
 */
export function DashboardPage() {
  const time = useTimeRange();
  const { scope } = useApi();
  const queryClient = useQueryClient();
  const from = time.range.from.toISOString();
  const to = time.range.to.toISOString();
  const { bucket } = time.range;
  // Keep showing the last range's figures while the next one loads, instead of flashing a spinner.
  const options = { placeholderData: keepPreviousData };
  const overTime = useApiQuery(
    ['metrics', 'time', from, to, bucket],
    (client) => client.metrics({ from, to, group_by: 'time', bucket }),
    options,
  );
  const byModel = useApiQuery(
    ['metrics', 'model', from, to],
    (client) => client.metrics({ from, to, group_by: 'model' }),
    options,
  );
  const byPrompt = useApiQuery(
    ['metrics', 'prompt_version', from, to],
    (client) => client.metrics({ from, to, group_by: 'prompt_version' }),
    options,
  );

  const refresh = () => {
    time.refresh();
    void queryClient.invalidateQueries({ queryKey: ['api', scope, 'metrics'] });
  };
  const updating = overTime.isFetching || byModel.isFetching || byPrompt.isFetching;

  return (
    <>
      <PageHeader
        title="Dashboard"
        description="Gateway calls and ingested generations: volume, tokens, cost, latency and errors."
        actions={
          <>
            <TimeRangePicker value={time.selection} onChange={time.setSelection} />
            <button type="button" className="button" onClick={refresh} aria-busy={updating}>
              {updating ? 'Updating…' : 'Refresh'}
            </button>
          </>
        }
      />
      <p className="range-note">
        {describeTimeRange(time.selection)}, in {bucket === 'minute' ? 'minutes' : `${bucket}s`} (your local
        time).
      </p>
      <div className="dashboard-body" aria-busy={updating}>
        {overTime.isPending ? (
          <LoadingState label="Loading metrics…" />
        ) : overTime.isError ? (
          <ErrorMessage
            title="Could not load metrics"
            error={overTime.error}
            onRetry={() => void overTime.refetch()}
          />
        ) : overTime.data.total.requests === 0 ? (
          <EmptyState title="No model calls in this time range">
            Calls through the gateway (<code>/v1/chat/completions</code>) and generations sent to{' '}
            <code>/api/ingest</code> or OTLP show here. Pick a longer range, or send some.
          </EmptyState>
        ) : (
          <>
            <KpiTiles total={overTime.data.total} />
            <MetricsCharts body={overTime.data} range={time.range} />
            <MetricsSplitCharts range={time.range} byModel={byModel} byPrompt={byPrompt} />
            <MetricsGroupTable title="By model" keyHeader="Model" noKey="(no model)" query={byModel} />
            <MetricsGroupTable
              title="By prompt version"
              keyHeader="Prompt version"
              noKey="(no prompt)"
              query={byPrompt}
            />
          </>
        )}
      </div>
    </>
  );
}
