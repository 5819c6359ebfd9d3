import { useApiQuery } from '../api/use-api-query.js';

/**
 * Which label moves ask for confirmation first: `production`, and every label the project
 * protects (only admin keys may move those). A key that cannot read the settings still gets
 * the question for `production`.
 */
export function useLabelRules() {
  const settings = useApiQuery(['prompts', 'settings'], (client) => client.prompts.settings());
  const protectedLabels = settings.data?.protected_labels ?? [];
  return {
    protectedLabels,
    needsConfirmation: (label: string) => label === 'production' || protectedLabels.includes(label),
  };
}
