import { describeSummaryRow, type EvalSummary } from '@flywheel/core';
import type { ExperimentBody, ExperimentComparisonBody } from '@flywheel/spec';
import { table } from '../commands/text-table.js';

/** The end-of-run table: one row per prompt × model. */
export function formatSummary(
  summary: EvalSummary,
  experiments: ExperimentBody[],
  labels: { prompts: Map<string, string>; providers: Map<string, string> },
): string {
  const rows = [...summary.rows.values()].map((row) => {
    const derived = describeSummaryRow(row);
    return [
      labels.prompts.get(row.promptId) ?? row.promptId,
      labels.providers.get(row.providerId) ?? row.providerId,
      percent(derived.passRate),
      String(row.passed),
      String(row.failed),
      String(row.errored),
      derived.meanScore === null ? '-' : derived.meanScore.toFixed(3),
      `${row.inputTokens}/${row.outputTokens}`,
      `$${row.cost.toFixed(4)}${row.unknownCostCount > 0 ? '+?' : ''}`,
      derived.latencyP50Ms === null ? '-' : String(Math.round(derived.latencyP50Ms)),
      derived.latencyP95Ms === null ? '-' : String(Math.round(derived.latencyP95Ms)),
    ];
  });
  const total = describeSummaryRow(summary.total);
  const header = experiments
    .map((experiment) => `Experiment ${experiment.id} "${experiment.name}" (${experiment.status})`)
    .join('\n');
  return (
    `${header}\n${summary.total.results} results in ${(summary.durationMs / 1000).toFixed(1)} s` +
    `${summary.cancelled ? ' — cancelled; the results that finished are kept' : ''}; pass rate ${percent(total.passRate)}` +
    `${summary.total.cachedCount > 0 ? `, ${summary.total.cachedCount} from the eval cache` : ''}.\n\n` +
    table(
      [
        'PROMPT',
        'MODEL',
        'PASS RATE',
        'PASSED',
        'FAILED',
        'ERRORED',
        'SCORE',
        'TOKENS IN/OUT',
        'COST',
        'P50 MS',
        'P95 MS',
      ],
      rows,
    )
  );
}

/** A comparison in words: per target, each metric's change and verdict, then the cases that changed. */
export function formatComparison(
  title: string,
  comparison: ExperimentComparisonBody,
  prompts: Map<string, string>,
): string {
  const lines = [`${title}: ${verdictWord(comparison.verdict)}`];
  if (comparison.targets.length === 0) {
    lines.push('  Nothing to pair: the runs share no prompt × model with the same cases.');
  }
  for (const target of comparison.targets) {
    const name = `${prompts.get(target.a.prompt_id) ?? target.a.prompt_id}: ${target.a.provider_id}${target.b.provider_id === target.a.provider_id ? '' : ` → ${target.b.provider_id}`}`;
    lines.push(`  ${name} (${target.pairs} paired cases): ${verdictWord(target.verdict)}`);
    for (const metric of target.metrics) {
      if (metric.n === 0) continue;
      const detail =
        metric.p_value !== undefined
          ? `McNemar p = ${formatP(metric.p_value)}`
          : `95% CI of the difference ${signed(metric.low ?? 0)} … ${signed(metric.high ?? 0)}`;
      const values =
        metric.metric === 'pass_rate'
          ? `${percent(metric.a)} → ${percent(metric.b)}`
          : `${number(metric.a)} → ${number(metric.b)}`;
      lines.push(`    ${metric.metric.padEnd(10)} ${values}  (${detail})  ${verdictWord(metric.verdict)}`);
    }
    lines.push(`    broke ${target.broke_count}, fixed ${target.fixed_count}`);
    for (const [word, cases] of [
      ['broke', target.broke],
      ['fixed', target.fixed],
    ] as const) {
      for (const change of cases.slice(0, 10)) {
        lines.push(
          `      ${word}: ${JSON.stringify(change.vars).slice(0, 100)} — ${JSON.stringify((change.b.output ?? '').slice(0, 80))}`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function verdictWord(verdict: string): string {
  return verdict === 'improved'
    ? 'IMPROVED'
    : verdict === 'regressed'
      ? 'REGRESSED'
      : 'no significant change';
}

function percent(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(1)}%`;
}

function number(value: number | null): string {
  return value === null
    ? '-'
    : Math.abs(value) >= 100
      ? value.toFixed(0)
      : value.toFixed(4).replace(/\.?0+$/, '');
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${number(value)}`;
}

function formatP(value: number): string {
  return value < 0.001 ? value.toExponential(1) : value.toFixed(3);
}
