import { useMemo, useSyncExternalStore } from 'react';

/** The theme's colours, read from the CSS variables of styles/theme.css, for what CSS cannot style (charts). */
export interface ThemeColors {
  text: string;
  textMuted: string;
  border: string;
  grid: string;
  surface: string;
  /** Series colours, in order. */
  series: string[];
  /** The colour of errors. */
  error: string;
}

const darkQuery = '(prefers-color-scheme: dark)';

/** The colours in effect on `root` now. */
export function readThemeColors(root: Element = document.documentElement): ThemeColors {
  const style = getComputedStyle(root);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return {
    text: read('--text'),
    textMuted: read('--text-muted'),
    border: read('--border'),
    grid: read('--chart-grid'),
    surface: read('--surface'),
    series: ['--chart-1', '--chart-2', '--chart-3', '--chart-4', '--chart-5'].map(read),
    error: read('--chart-error'),
  };
}

function subscribe(onChange: () => void): () => void {
  const query = window.matchMedia(darkQuery);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/** The theme's colours, read again whenever the system switches between light and dark. */
export function useThemeColors(): ThemeColors {
  const dark = useSyncExternalStore(
    subscribe,
    () => window.matchMedia(darkQuery).matches,
    () => false,
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: the variables change with the scheme, so it is the key
  return useMemo(() => readThemeColors(), [dark]);
}
