/**
 * URLs of the Prompts page. A prompt lives at `/prompts/<name>` (its `/` are folders); what of it
 * is shown is in the search params (`view`, `version`, `from`, `to`), so no view word can be
 * mistaken for part of a name. The new-prompt form is at `/prompts/-/new`: no name starts with `-`.
 */
export type PromptView = 'editor' | 'history' | 'diff' | 'playground';

export const promptViews: ReadonlyArray<{ view: PromptView; label: string }> = [
  { view: 'editor', label: 'Editor' },
  { view: 'history', label: 'History & labels' },
  { view: 'diff', label: 'Compare versions' },
  { view: 'playground', label: 'Playground' },
];

export const newPromptPath = '/prompts/-/new';

/** The URL of a prompt, optionally of one of its views with its parameters. */
export function promptUrl(
  name: string,
  view: PromptView = 'editor',
  params: Record<string, string | number> = {},
): string {
  const search = new URLSearchParams();
  if (view !== 'editor') search.set('view', view);
  for (const [key, value] of Object.entries(params)) search.set(key, String(value));
  const query = search.toString();
  return `/prompts/${name.split('/').map(encodeURIComponent).join('/')}${query ? `?${query}` : ''}`;
}

/** The view a `view` search param names; the editor for anything else. */
export function parseView(value: string | null): PromptView {
  return promptViews.some((entry) => entry.view === value) ? (value as PromptView) : 'editor';
}

/** A positive whole version number from a search param, or undefined. */
export function parseVersion(value: string | null): number | undefined {
  if (value === null || !/^[1-9][0-9]{0,8}$/.test(value)) return undefined;
  return Number(value);
}
