import type { FlywheelClient } from '@flywheel/sdk';
import type { ExperimentResultBody } from '@flywheel/spec';

/** The most results a run's page loads: beyond it, the page says so instead of growing without bound. */
export const resultCap = 5_000;

/** Results of a run, as loaded. */
export interface LoadedResults {
  results: ExperimentResultBody[];
  /** More results exist beyond `cap`. */
  truncated: boolean;
}

/** Reads a run's results page by page (1,000 at a time) until the last page or `cap` results. */
export async function loadResults(
  client: FlywheelClient,
  id: string,
  cap = resultCap,
): Promise<LoadedResults> {
  const results: ExperimentResultBody[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.experiments.results(id, {
      limit: Math.min(1_000, cap - results.length),
      ...(cursor === undefined ? {} : { cursor }),
    });
    results.push(...page.data);
    if (page.next_cursor === null) return { results, truncated: false };
    if (results.length >= cap) return { results, truncated: true };
    cursor = page.next_cursor;
  }
}
