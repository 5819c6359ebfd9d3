/** Who changed a dataset's items: the API key, by id and by its name at the time. */
export interface DatasetActor {
  keyId: string;
  keyName: string;
}

/** A dataset: a named, versioned list of items in a project. */
export interface DatasetRecord {
  id: string;
  projectId: string;
  name: string;
  description: string | null;
  metadata: Record<string, unknown>;
  /** 0 when new; each write that changes items adds 1. */
  version: number;
  /** Items at the current version. */
  itemCount: number;
  createdAt: string;
  updatedAt: string;
}

/** What creating a dataset stores. */
export interface NewDataset {
  id: string;
  projectId: string;
  name: string;
  description: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}

/** Fields of a dataset to replace; absent ones are kept. */
export interface DatasetPatch {
  description?: string | null;
  metadata?: Record<string, unknown>;
}

/** An item's content: everything an edit replaces. */
export interface DatasetItemContent {
  /** The variables a task is run with. */
  input: Record<string, unknown>;
  /** Any JSON; null: none. */
  expectedOutput: unknown;
  metadata: Record<string, unknown>;
  sourceTraceId: string | null;
  sourceSpanId: string | null;
}

/** An item to store: its id and content. */
export interface NewDatasetItem extends DatasetItemContent {
  id: string;
}

/** One item as read at some version of its dataset. */
export interface DatasetItemRecord extends NewDatasetItem {
  /** The dataset version that stored this content (the row's `valid_from`). */
  version: number;
  /** Where the item sits in the dataset: set when it is first added, kept by edits. */
  seq: number;
  /** When the item was first added. */
  createdAt: string;
  /** When this content was stored. */
  updatedAt: string;
}

/**
 * One change of a write. `put` stores the item (created, or updated when its content differs);
 * with `onlyIfAbsent` an existing item is left alone (`exists`). `delete` removes it.
 */
export type DatasetItemChange =
  | { kind: 'put'; item: NewDatasetItem; onlyIfAbsent?: boolean }
  | { kind: 'delete'; id: string };

/** What a change did; `exists` and `missing` changed nothing. */
export type DatasetItemOutcomeStatus = 'created' | 'updated' | 'unchanged' | 'exists' | 'deleted' | 'missing';

export interface DatasetItemOutcome {
  id: string;
  status: DatasetItemOutcomeStatus;
}

/** What a write stores: changes to apply together, as one new version when any changes something. */
export interface DatasetItemWrite {
  projectId: string;
  /** The dataset, by name. */
  name: string;
  /** At most one change per item id. */
  changes: DatasetItemChange[];
  actor: DatasetActor;
  at: string;
}

/** The result of a write. */
export interface DatasetWriteResult {
  /** The dataset after the write. */
  dataset: DatasetRecord;
  /** Per change, in order. */
  outcomes: DatasetItemOutcome[];
}

/** One version of a dataset: what its write changed. */
export interface DatasetVersionRecord {
  version: number;
  created: number;
  updated: number;
  deleted: number;
  /** Items at this version. */
  itemCount: number;
  createdBy: DatasetActor;
  createdAt: string;
}

/** Which items to read: those live at `version`, after `afterSeq`, in order of `seq`. */
export interface DatasetItemQuery {
  version: number;
  limit: number;
  afterSeq?: number;
}

/**
 * What an experiment records to read the exact items it ran on later, whatever was edited since:
 * the dataset's id (a name can be deleted and reused) and the version.
 */
export interface DatasetSnapshotRef {
  datasetId: string;
  name: string;
  version: number;
}
