import { FlywheelError } from '@flywheel/spec';
import type { DatasetRecord } from './dataset.js';

/** No dataset of this name in the caller's project (also what another project's key sees). */
export function datasetNotFound(name: string): FlywheelError {
  return new FlywheelError(
    'dataset_not_found',
    `This project has no dataset named '${name}'. GET /api/datasets lists them; create it with POST /api/datasets.`,
  );
}

/** A version past the dataset's newest. */
export function datasetVersionNotFound(dataset: DatasetRecord, version: number): FlywheelError {
  return new FlywheelError(
    'dataset_not_found',
    `Dataset '${dataset.name}' has no version ${version} (its newest is ${dataset.version}).`,
    { details: { version, latest_version: dataset.version } },
  );
}

/** No live item with this id (at `version` when one was asked for). */
export function itemNotFound(name: string, itemId: string, version: number | null): FlywheelError {
  return new FlywheelError(
    'dataset_item_not_found',
    version === null
      ? `Dataset '${name}' has no item '${itemId}'. GET /api/datasets/${name}/items lists them.`
      : `Dataset '${name}' had no item '${itemId}' at version ${version}.`,
  );
}
