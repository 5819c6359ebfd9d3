import type { PromptVersionBody } from '@flywheel/spec';

/** Where each label points (label → version), from the versions' own labels. */
export function labelMap(versions: readonly PromptVersionBody[]): Record<string, number> {
  const labels: Record<string, number> = {};
  for (const version of versions) for (const label of version.labels) labels[label] = version.version;
  return labels;
}
