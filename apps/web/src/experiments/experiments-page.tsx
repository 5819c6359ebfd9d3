import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../app/not-found-page.js';
import { ExperimentCompare } from './experiment-compare.js';
import { ExperimentList } from './experiment-list.js';
import { ExperimentRun } from './experiment-run.js';
import './experiments.css';

/**
 * Experiments: the list of runs (`/experiments`), one run's cases × targets
 * (`/experiments/:experimentId`) and two runs compared (`/experiments/compare/:a/:b`).
 */
export function ExperimentsPage() {
  return (
    <Routes>
      <Route index element={<ExperimentList />} />
      <Route path="compare/:a/:b" element={<ExperimentCompare />} />
      <Route path=":experimentId" element={<ExperimentRun />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
