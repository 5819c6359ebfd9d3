import {
  comparePassFail,
  compareScores,
  type PassFailComparison,
  type ScoreComparison,
  type Verdict,
} from '../statistics/compare-metrics.js';
import type { ExperimentResultRecord } from './experiment.js';

/** The parts of a result a comparison reads. */
export type ComparableResult = Pick<
  ExperimentResultRecord,
  | 'caseKey'
  | 'repeat'
  | 'promptId'
  | 'providerId'
  | 'vars'
  | 'status'
  | 'score'
  | 'output'
  | 'latencyMs'
  | 'cost'
>;

/** A case whose outcome changed between the two sides. */
export interface CaseChange {
  caseKey: string;
  repeat: number;
  vars: Record<string, unknown>;
  a: { status: string; score: number; output: string | null };
  b: { status: string; score: number; output: string | null };
}

/** Two sets of results for the same cases, compared metric by metric with paired tests. */
export interface TargetComparison {
  a: { promptId: string; providerId: string };
  b: { promptId: string; providerId: string };
  pairs: number;
  /** Results with no partner on the other side (a case only one run had). */
  unpaired: { a: number; b: number };
  pass: PassFailComparison;
  score: ScoreComparison;
  latency: ScoreComparison;
  cost: ScoreComparison;
  verdict: Verdict;
  /** Passed in A, not in B (at most `maxChanges`). */
  broke: CaseChange[];
  /** Not passed in A, passed in B. */
  fixed: CaseChange[];
  brokeCount: number;
  fixedCount: number;
}

/** Options of the comparisons. */
export interface CompareOptions {
  /** Significance level of McNemar's test (default 0.05). */
  alpha?: number;
  /** Changed cases listed per side (default 50). */
  maxChanges?: number;
}

/**
 * Compares two result sets of one prompt × model each (two runs, or two models of one run):
 * results pair by case key and repeat; pass/fail by McNemar's exact test (an errored case counts
 * as not passed), score, latency and cost by a paired bootstrap interval. The verdict follows
 * pass/fail when it is significant, else the score.
 *
 * @example
 * const report = compareResultSets(oldModelResults, newModelResults);
 * report.verdict; // 'regressed'
 */
export function compareResultSets(
  aResults: Iterable<ComparableResult>,
  bResults: Iterable<ComparableResult>,
  options: CompareOptions = {},
): TargetComparison {
  const maxChanges = options.maxChanges ?? 50;
  const byKey = new Map<string, ComparableResult>();
  let aTarget: { promptId: string; providerId: string } | undefined;
  let bTarget: { promptId: string; providerId: string } | undefined;
  for (const result of aResults) {
    aTarget ??= { promptId: result.promptId, providerId: result.providerId };
    byKey.set(pairKey(result), result);
  }
  const passPairs: Array<{ a: boolean; b: boolean }> = [];
  const scorePairs: Array<{ a: number | null; b: number | null }> = [];
  const latencyPairs: Array<{ a: number | null; b: number | null }> = [];
  const costPairs: Array<{ a: number | null; b: number | null }> = [];
  const broke: CaseChange[] = [];
  const fixed: CaseChange[] = [];
  let brokeCount = 0;
  let fixedCount = 0;
  let unpairedB = 0;
  const seen = new Set<string>();
  for (const b of bResults) {
    bTarget ??= { promptId: b.promptId, providerId: b.providerId };
    const key = pairKey(b);
    const a = byKey.get(key);
    if (!a || seen.has(key)) {
      unpairedB += 1;
      continue;
    }
    seen.add(key);
    const aPassed = a.status === 'passed';
    const bPassed = b.status === 'passed';
    passPairs.push({ a: aPassed, b: bPassed });
    scorePairs.push({ a: a.score, b: b.score });
    latencyPairs.push({ a: a.latencyMs, b: b.latencyMs });
    costPairs.push({ a: a.cost, b: b.cost });
    if (aPassed !== bPassed) {
      const change: CaseChange = {
        caseKey: a.caseKey,
        repeat: a.repeat,
        vars: a.vars,
        a: { status: a.status, score: a.score, output: a.output },
        b: { status: b.status, score: b.score, output: b.output },
      };
      if (aPassed) {
        brokeCount += 1;
        if (broke.length < maxChanges) broke.push(change);
      } else {
        fixedCount += 1;
        if (fixed.length < maxChanges) fixed.push(change);
      }
    }
  }
  const pass = comparePassFail('pass_rate', passPairs, { alpha: options.alpha ?? 0.05 });
  const score = compareScores('score', scorePairs);
  const latency = compareScores('latency_ms', latencyPairs, { higherIsBetter: false });
  const cost = compareScores('cost', costPairs, { higherIsBetter: false });
  return {
    a: aTarget ?? { promptId: '', providerId: '' },
    b: bTarget ?? { promptId: '', providerId: '' },
    pairs: passPairs.length,
    unpaired: { a: byKey.size - seen.size, b: unpairedB },
    pass,
    score,
    latency,
    cost,
    verdict: pass.verdict !== 'no_significant_change' ? pass.verdict : score.verdict,
    broke,
    fixed,
    brokeCount,
    fixedCount,
  };
}

/** A whole comparison of two experiments. */
export interface ExperimentComparison {
  targets: TargetComparison[];
  verdict: Verdict;
}

/**
 * Compares two experiments. Their prompt × model targets pair up: the same prompt and model;
 * else, when each run used one model, the same prompt (a model upgrade); else, when each used
 * one prompt, the same model (a prompt change). Regressed when any pair regressed; improved when
 * some improved and none regressed.
 */
export function compareExperiments(
  aResults: readonly ComparableResult[],
  bResults: readonly ComparableResult[],
  options: CompareOptions = {},
): ExperimentComparison {
  const aGroups = groupByTarget(aResults);
  const bGroups = groupByTarget(bResults);
  const aProviders = new Set(aResults.map((result) => result.providerId));
  const bProviders = new Set(bResults.map((result) => result.providerId));
  const aPrompts = new Set(aResults.map((result) => result.promptId));
  const bPrompts = new Set(bResults.map((result) => result.promptId));
  const matches: Array<[ComparableResult[], ComparableResult[]]> = [];
  const [aOnly] = [...aGroups.values()];
  const [bOnly] = [...bGroups.values()];
  if (aGroups.size === 1 && bGroups.size === 1 && aOnly && bOnly) {
    matches.push([aOnly, bOnly]);
  } else {
    for (const [key, group] of aGroups) {
      const [first] = group;
      let partner = bGroups.get(key);
      if (!partner && first && aProviders.size === 1 && bProviders.size === 1) {
        partner = [...bGroups.values()].find((candidate) => candidate[0]?.promptId === first.promptId);
      }
      if (!partner && first && aPrompts.size === 1 && bPrompts.size === 1) {
        partner = [...bGroups.values()].find((candidate) => candidate[0]?.providerId === first.providerId);
      }
      if (partner) matches.push([group, partner]);
    }
  }
  const targets = matches.map(([a, b]) => compareResultSets(a, b, options));
  return { targets, verdict: overallVerdict(targets.map((target) => target.verdict)) };
}

/** Regressed when any regressed; improved when some improved and none regressed. */
export function overallVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('regressed')) return 'regressed';
  if (verdicts.includes('improved')) return 'improved';
  return 'no_significant_change';
}

function groupByTarget(results: readonly ComparableResult[]): Map<string, ComparableResult[]> {
  const groups = new Map<string, ComparableResult[]>();
  for (const result of results) {
    const key = `${result.promptId}\u0000${result.providerId}`;
    const group = groups.get(key);
    if (group) group.push(result);
    else groups.set(key, [result]);
  }
  return groups;
}

function pairKey(result: ComparableResult): string {
  return `${result.caseKey}\u0000${result.repeat}`;
}
