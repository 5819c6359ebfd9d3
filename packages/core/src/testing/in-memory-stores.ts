import { FlywheelError } from '@flywheel/spec';
import type { ApiKeyRecord } from '../api-keys/api-key.js';
import type { StoreSet, Stores } from '../ports/stores.js';
import type { Project } from '../projects/project.js';
import type { ProviderCredential } from '../providers/provider-credential.js';
import {
  cloneDatasetState,
  createMemoryDatasetStore,
  emptyDatasetState,
  type MemoryDatasetState,
} from './in-memory-dataset-store.js';
import {
  cloneExperimentState,
  createMemoryExperimentStore,
  emptyExperimentState,
  type MemoryExperimentState,
} from './in-memory-experiment-store.js';
import {
  clonePromptState,
  createMemoryPromptStore,
  emptyPromptState,
  type MemoryPromptState,
} from './in-memory-prompt-store.js';
import {
  cloneTraceState,
  createMemoryTraceStore,
  emptyTraceState,
  type MemoryTraceState,
} from './in-memory-trace-store.js';

interface MemoryState {
  projects: Map<string, Project>;
  apiKeys: Map<string, ApiKeyRecord>;
  meta: Map<string, string>;
  tracing: MemoryTraceState;
  credentials: Map<string, ProviderCredential>;
  prompts: MemoryPromptState;
  datasets: MemoryDatasetState;
  experiments: MemoryExperimentState;
}

/**
 * Stores held in memory, for unit tests of code that takes `Stores`. They pass the same
 * contract suite as the SQLite and PostgreSQL stores. Transactions run one at a time and roll
 * back by restoring a snapshot.
 *
 * @example
 * const apiKeys = createApiKeyService({ stores: createInMemoryStores(), hasher });
 */
export function createInMemoryStores(): Stores {
  let state: MemoryState = {
    projects: new Map(),
    apiKeys: new Map(),
    meta: new Map(),
    tracing: emptyTraceState(),
    credentials: new Map(),
    prompts: emptyPromptState(),
    datasets: emptyDatasetState(),
    experiments: emptyExperimentState(),
  };
  let queue: Promise<unknown> = Promise.resolve();

  const storeSet = (current: () => MemoryState): StoreSet => ({
    projects: {
      async create(project) {
        if (current().projects.has(project.id)) throw new Error(`duplicate project id ${project.id}`);
        current().projects.set(project.id, { ...project });
      },
      async get(projectId) {
        const project = current().projects.get(projectId);
        return project && { ...project };
      },
      async list() {
        return [...current().projects.values()].sort(byCreation).map((project) => ({ ...project }));
      },
    },
    apiKeys: {
      async create(key) {
        const { apiKeys, projects } = current();
        if (apiKeys.has(key.id) || [...apiKeys.values()].some((other) => other.hash === key.hash)) {
          throw new Error('duplicate api key');
        }
        if (!projects.has(key.projectId)) throw new Error(`no project ${key.projectId}`);
        apiKeys.set(key.id, copyKey(key));
      },
      async get(projectId, keyId) {
        const key = current().apiKeys.get(keyId);
        return key && key.projectId === projectId ? copyKey(key) : undefined;
      },
      async list(projectId) {
        return [...current().apiKeys.values()]
          .filter((key) => key.projectId === projectId)
          .sort(byCreation)
          .map(copyKey);
      },
      async revoke(projectId, keyId, revokedAt) {
        const key = current().apiKeys.get(keyId);
        if (!key || key.projectId !== projectId) return undefined;
        key.revokedAt ??= revokedAt;
        return copyKey(key);
      },
      async findByHash(hash) {
        const key = [...current().apiKeys.values()].find((candidate) => candidate.hash === hash);
        return key && copyKey(key);
      },
    },
    instance: {
      async claimBootstrap(at) {
        if (current().meta.has('bootstrapped_at')) return false;
        current().meta.set('bootstrapped_at', at);
        return true;
      },
    },
    providerCredentials: {
      async create(credential) {
        const all = [...current().credentials.values()];
        if (all.some((other) => other.projectId === credential.projectId && other.name === credential.name)) {
          throw new FlywheelError(
            'conflict',
            `A provider credential named '${credential.name}' already exists in this project.`,
          );
        }
        current().credentials.set(credential.id, { ...credential });
      },
      async list(projectId) {
        return [...current().credentials.values()]
          .filter((credential) => credential.projectId === projectId)
          .sort(byCreation)
          .map((credential) => ({ ...credential }));
      },
      async getByName(projectId, name) {
        const found = [...current().credentials.values()].find(
          (credential) => credential.projectId === projectId && credential.name === name,
        );
        return found && { ...found };
      },
      async delete(projectId, credentialId) {
        const found = current().credentials.get(credentialId);
        if (!found || found.projectId !== projectId) return false;
        current().credentials.delete(credentialId);
        return true;
      },
    },
    prompts: createMemoryPromptStore(() => current().prompts),
    datasets: createMemoryDatasetStore(() => current().datasets),
    experiments: createMemoryExperimentStore(() => current().experiments),
    traces: createMemoryTraceStore(
      () => current().tracing,
      (projectId) => current().projects.has(projectId),
    ),
  });

  return {
    ...storeSet(() => state),
    kind: 'sqlite',
    transaction(work) {
      const run = async () => {
        const snapshot = cloneState(state);
        try {
          return await work(storeSet(() => state));
        } catch (error) {
          state = snapshot;
          throw error;
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    async ping() {},
  };
}

function byCreation(a: { createdAt: string; id: string }, b: { createdAt: string; id: string }): number {
  return a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1;
}

function copyKey(key: ApiKeyRecord): ApiKeyRecord {
  return { ...key, scopes: [...key.scopes] };
}

function cloneState(state: MemoryState): MemoryState {
  return {
    projects: new Map([...state.projects].map(([id, project]) => [id, { ...project }])),
    apiKeys: new Map([...state.apiKeys].map(([id, key]) => [id, copyKey(key)])),
    meta: new Map(state.meta),
    tracing: cloneTraceState(state.tracing),
    credentials: new Map([...state.credentials].map(([key, credential]) => [key, { ...credential }])),
    prompts: clonePromptState(state.prompts),
    datasets: cloneDatasetState(state.datasets),
    experiments: cloneExperimentState(state.experiments),
  };
}
