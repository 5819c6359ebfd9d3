import type { ExperimentRecord, TargetComparison } from '@flywheel/core';
import type { ExperimentBody, MetricComparisonBody } from '@flywheel/spec';

export function toExperimentBody(experiment: ExperimentRecord): ExperimentBody {
  return {
    id: experiment.id,
    name: experiment.name,
    description: experiment.description,
    status: experiment.status,
    targets: experiment.targets.map((target) => ({
      prompt_id: target.promptId,
      prompt_label: target.promptLabel,
      provider_id: target.providerId,
      provider_label: target.providerLabel,
      prompt_ref: target.promptRef,
    })),
    datasets: experiment.datasets,
    metadata: experiment.metadata,
    summary: experiment.summary,
    result_count: experiment.resultCount,
    created_by: { key_id: experiment.createdBy.keyId, key_name: experiment.createdBy.keyName },
    created_at: experiment.createdAt,
    finished_at: experiment.finishedAt,
  };
}

/** A target comparison as the API shows it. */
export function toTargetComparisonBody(target: TargetComparison) {
  const change = (item: TargetComparison['broke'][number]) => ({
    case_key: item.caseKey,
    repeat: item.repeat,
    vars: item.vars,
    a: item.a,
    b: item.b,
  });
  return {
    a: { prompt_id: target.a.promptId, provider_id: target.a.providerId },
    b: { prompt_id: target.b.promptId, provider_id: target.b.providerId },
    pairs: target.pairs,
    unpaired: target.unpaired,
    metrics: [
      metric({
        metric: 'pass_rate',
        n: target.pass.n,
        a: target.pass.passRateA,
        b: target.pass.passRateB,
        delta: target.pass.delta,
        pValue: target.pass.pValue,
        verdict: target.pass.verdict,
      }),
      ...[target.score, target.latency, target.cost].map((score) =>
        metric({
          metric: score.metric,
          n: score.n,
          a: score.meanA,
          b: score.meanB,
          delta: score.delta,
          low: score.low,
          high: score.high,
          verdict: score.verdict,
        }),
      ),
    ],
    verdict: target.verdict,
    broke: target.broke.map(change),
    fixed: target.fixed.map(change),
    broke_count: target.brokeCount,
    fixed_count: target.fixedCount,
  };
}

interface MetricComparisonInput {
  metric: string;
  n: number;
  a: number;
  b: number;
  delta: number;
  pValue?: number;
  low?: number;
  high?: number;
  verdict: MetricComparisonBody['verdict'];
}

function metric(input: MetricComparisonInput): MetricComparisonBody {
  return {
    metric: input.metric,
    n: input.n,
    a: input.n === 0 ? null : input.a,
    b: input.n === 0 ? null : input.b,
    delta: input.delta,
    ...(input.pValue !== undefined ? { p_value: input.pValue } : {}),
    ...(input.low !== undefined ? { low: input.low, high: input.high } : {}),
    verdict: input.verdict,
  };
}
