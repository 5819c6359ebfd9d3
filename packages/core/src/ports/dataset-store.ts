import type {
  DatasetItemQuery,
  DatasetItemRecord,
  DatasetItemWrite,
  DatasetPatch,
  DatasetRecord,
  DatasetVersionRecord,
  DatasetWriteResult,
  NewDataset,
} from '../datasets/dataset.js';

/**
 * Storage of datasets and their items, scoped by project. Items are kept temporally: a row is
 * live from the version that stored it (`valid_from`) until the version that edited or deleted
 * it (`valid_to`), so any past version reads back exactly. Writes assume they run inside
 * `Stores.transaction`.
 */
export interface DatasetStore {
  /** Creates a dataset at version 0; throws FlywheelError `conflict` when the name is taken in the project. */
  createDataset(input: NewDataset): Promise<DatasetRecord>;
  /** Datasets by name. */
  listDatasets(projectId: string, options: { limit: number }): Promise<DatasetRecord[]>;
  getDataset(projectId: string, name: string): Promise<DatasetRecord | undefined>;
  /** Replaces the fields `patch` gives; undefined when there is no such dataset. */
  updateDataset(
    projectId: string,
    name: string,
    patch: DatasetPatch,
    at: string,
  ): Promise<DatasetRecord | undefined>;
  /** Deletes the dataset with every item row and version; false when there was none. */
  deleteDataset(projectId: string, name: string): Promise<boolean>;
  /**
   * Applies the changes (at most one per item id) as one new version, allocated so that
   * concurrent writes never share or skip a number; a write that changes nothing keeps the
   * version. Undefined when there is no such dataset.
   */
  writeItems(input: DatasetItemWrite): Promise<DatasetWriteResult | undefined>;
  /** Items live at `query.version`, in the order they were first added. */
  listItems(projectId: string, datasetId: string, query: DatasetItemQuery): Promise<DatasetItemRecord[]>;
  /** One item as it was at `version`. */
  getItem(
    projectId: string,
    datasetId: string,
    itemId: string,
    version: number,
  ): Promise<DatasetItemRecord | undefined>;
  /** Every version of a dataset, newest first. */
  listVersions(projectId: string, datasetId: string): Promise<DatasetVersionRecord[]>;
}
