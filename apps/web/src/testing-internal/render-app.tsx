import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, useLocation } from 'react-router';
import { type ApiEnvironment, ApiProvider } from '../api/api-context.js';
import { createMemoryStorage } from '../api/session-store.js';
import { AppRoutes } from '../app/app-routes.js';

/** Shows the router's current location, for tests that assert on the URL. */
export function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location">{`${location.pathname}${location.search}`}</div>;
}

/**
 * Renders `children` (default: the whole UI) at `path` over a fake fetch, with session storage in
 * memory, routing like `main.tsx` does (URL changes rendered as urgent updates, not transitions).
 */
export function renderApp({
  path = '/',
  fetch,
  storage = createMemoryStorage(),
  children = <AppRoutes />,
}: {
  path?: string;
  fetch: typeof globalThis.fetch;
  storage?: ApiEnvironment['storage'];
  children?: ReactNode;
}) {
  const environment: ApiEnvironment = { baseUrl: 'http://flywheel.test', storage, fetch };
  const result = render(
    <ApiProvider environment={environment}>
      <MemoryRouter initialEntries={[path]} useTransitions={false}>
        {children}
        <LocationProbe />
      </MemoryRouter>
    </ApiProvider>,
  );
  return { ...result, storage };
}
