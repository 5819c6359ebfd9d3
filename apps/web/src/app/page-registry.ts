import type { ComponentType } from 'react';

/** One page of the UI: where it lives, what the navigation calls it, and how to load it. */
export interface PageDefinition {
  /** First URL segment ('' for the Dashboard at `/`). The page owns everything below it (`traces/*`). */
  path: string;
  /** Its name in the navigation and its document title. */
  label: string;
  /**
   * Loads the page's component (a separate chunk). Undefined while the page is not built: it is
   * then neither in the navigation nor routed.
   */
  load: (() => Promise<ComponentType>) | undefined;
}

/**
 * Every page, in navigation order. To add a page, set its `load` to its component, e.g.
 * `load: () => import('../traces/traces-page.js').then((module) => module.TracesPage)`;
 * nested URLs (`/traces/:id`) are the page's own `<Routes>`.
 */
export const pages: readonly PageDefinition[] = [
  {
    path: '',
    label: 'Dashboard',
    load: () => import('../dashboard/dashboard-page.js').then((module) => module.DashboardPage),
  },
  {
    path: 'traces',
    label: 'Traces',
    load: () => import('../traces/traces-page.js').then((module) => module.TracesPage),
  },
  {
    path: 'prompts',
    label: 'Prompts',
    load: () => import('../prompts/prompts-page.js').then((module) => module.PromptsPage),
  },
  {
    path: 'datasets',
    label: 'Datasets',
    load: () => import('../datasets/datasets-page.js').then((module) => module.DatasetsPage),
  },
  {
    path: 'experiments',
    label: 'Experiments',
    load: () => import('../experiments/experiments-page.js').then((module) => module.ExperimentsPage),
  },
];

/** The pages that are built. */
export const builtPages = pages.filter((page) => page.load !== undefined);
