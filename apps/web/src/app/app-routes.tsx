import { type ComponentType, lazy } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from '../api/api-context.js';
import { type SignInLocationState, SignInPage } from '../auth/sign-in-page.js';
import { AppLayout } from './app-layout.js';
import { NotFoundPage } from './not-found-page.js';
import { builtPages } from './page-registry.js';

// One lazy component per built page, so each page is its own chunk, loaded on first visit.
const routedPages = builtPages.map((page) => ({
  ...page,
  Page: lazy(async (): Promise<{ default: ComponentType }> => ({ default: await page.load!() })),
}));

/** Every URL of the UI: the sign-in page, and the pages behind it. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route element={<RequireSession />}>
        {routedPages.map(({ path, Page }) =>
          path === '' ? (
            <Route key="index" index element={<Page />} />
          ) : (
            <Route key={path} path={`${path}/*`} element={<Page />} />
          ),
        )}
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

/** The signed-in frame, or the sign-in page (which comes back here after). */
function RequireSession() {
  const { session } = useSession();
  const location = useLocation();
  if (!session) {
    const state: SignInLocationState = { from: `${location.pathname}${location.search}` };
    return <Navigate to="/sign-in" replace state={state} />;
  }
  return <AppLayout />;
}
