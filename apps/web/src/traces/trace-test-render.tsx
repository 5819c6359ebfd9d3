import { Route, Routes } from 'react-router';
import { createMemoryStorage } from '../api/session-store.js';
import { renderApp } from '../testing-internal/render-app.js';
import { TracesPage } from './traces-page.js';

/** The Traces page alone (no shell), signed in, at `path`, over a fake fetch. */
export function renderTraces(path: string, fetch: typeof globalThis.fetch) {
  const storage = createMemoryStorage();
  storage.setItem('flywheel.apiKey', 'fw_sk_test');
  return renderApp({
    path,
    fetch,
    storage,
    children: (
      <Routes>
        <Route path="/traces/*" element={<TracesPage />} />
      </Routes>
    ),
  });
}
