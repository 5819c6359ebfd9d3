import { Route, Routes, useParams, useSearchParams } from 'react-router';
import { DatasetDetail } from './dataset-detail.js';
import { DatasetImport } from './dataset-import.js';
import { DatasetItemEditor } from './dataset-item-editor.js';
import { DatasetList } from './dataset-list.js';
import { parseDatasetPath } from './dataset-paths.js';
import './datasets.css';

/**
 * Datasets: the list (`/datasets`), a dataset's items and versions (`/datasets/<name>`), importing
 * a CSV or JSONL file into it (`?view=import`) and editing one item (`/datasets/<name>/items/<id>`).
 */
export function DatasetsPage() {
  return (
    <Routes>
      <Route index element={<DatasetList />} />
      <Route path="*" element={<DatasetRoute />} />
    </Routes>
  );
}

function DatasetRoute() {
  const { name, itemId } = parseDatasetPath(useParams()['*'] ?? '');
  const [search] = useSearchParams();
  if (itemId !== undefined)
    return <DatasetItemEditor key={`${name}\u0000${itemId}`} name={name} itemId={itemId} />;
  if (search.get('view') === 'import') return <DatasetImport key={name} name={name} />;
  return <DatasetDetail key={name} name={name} />;
}
