import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../app/not-found-page.js';
import { TraceDetail } from './trace-detail.js';
import { TraceList } from './trace-list.js';
import './traces.css';

/**
 * Traces: a filterable, paged list of the project's traces (`/traces`), and one trace with its
 * span tree, timing, conversation, scores and actions (`/traces/:traceId`).
 */
export function TracesPage() {
  return (
    <Routes>
      <Route index element={<TraceList />} />
      <Route path=":traceId" element={<TraceDetail />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
