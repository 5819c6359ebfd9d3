import type { ApiKeyStore } from './api-key-store.js';
import type { DatasetStore } from './dataset-store.js';
import type { ExperimentStore } from './experiment-store.js';
import type { InstanceStore } from './instance-store.js';
import type { ProjectStore } from './project-store.js';
import type { PromptStore } from './prompt-store.js';
import type { ProviderCredentialStore } from './provider-credential-store.js';
import type { TraceStore } from './trace-store.js';

/** The stores of one unit of work. */
export interface StoreSet {
  projects: ProjectStore;
  apiKeys: ApiKeyStore;
  instance: InstanceStore;
  traces: TraceStore;
  providerCredentials: ProviderCredentialStore;
  prompts: PromptStore;
  datasets: DatasetStore;
  experiments: ExperimentStore;
}

/** Every store, plus the operations that span them. */
export interface Stores extends StoreSet {
  /** Which engine holds the data. */
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Runs `work` in one transaction: all of its writes commit together or none do.
   * The stores passed to `work` must be the only ones it uses.
   */
  transaction<T>(work: (stores: StoreSet) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query; throws a `storage_*` FlywheelError otherwise. */
  ping(): Promise<void>;
}
