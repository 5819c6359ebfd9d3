import { FlywheelError } from '@flywheel/spec';
import type { ExperimentRecord, ExperimentResultRecord } from '../eval/experiments/experiment.js';
import type { ExperimentStore } from '../ports/experiment-store.js';

type StoredResult = ExperimentResultRecord & { seq: number };

/** Experiments in memory. */
export interface MemoryExperimentState {
  experiments: Map<string, ExperimentRecord & { nextSeq: number }>;
  /** experiment id → result key → result. */
  results: Map<string, Map<string, StoredResult>>;
}

export function emptyExperimentState(): MemoryExperimentState {
  return { experiments: new Map(), results: new Map() };
}

export function cloneExperimentState(state: MemoryExperimentState): MemoryExperimentState {
  return {
    experiments: new Map([...state.experiments].map(([id, experiment]) => [id, structuredClone(experiment)])),
    results: new Map([...state.results].map(([id, results]) => [id, new Map(results)])),
  };
}

/** The in-memory {@link ExperimentStore}; passes the same contract suite as the SQL store. */
export function createMemoryExperimentStore(current: () => MemoryExperimentState): ExperimentStore {
  const find = (projectId: string, id: string) => {
    const experiment = current().experiments.get(id);
    return experiment && experiment.projectId === projectId ? experiment : undefined;
  };
  const view = (experiment: ExperimentRecord & { nextSeq: number }): ExperimentRecord => {
    const { nextSeq: _nextSeq, ...record } = structuredClone(experiment);
    return { ...record, resultCount: current().results.get(experiment.id)?.size ?? 0 };
  };
  return {
    async create(experiment) {
      current().experiments.set(experiment.id, { ...structuredClone(experiment), nextSeq: 1 });
      current().results.set(experiment.id, new Map());
    },
    async get(projectId, id) {
      const experiment = find(projectId, id);
      return experiment && view(experiment);
    },
    async list(projectId, options) {
      return [...current().experiments.values()]
        .filter(
          (experiment) =>
            experiment.projectId === projectId &&
            (options.name === undefined || experiment.name === options.name) &&
            (options.status === undefined || experiment.status === options.status),
        )
        .sort((a, b) =>
          a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
        )
        .slice(0, options.limit)
        .map(view);
    },
    async appendResults(projectId, id, results) {
      const experiment = find(projectId, id);
      if (!experiment)
        throw new FlywheelError('experiment_not_found', `This project has no experiment with id '${id}'.`);
      if (experiment.status !== 'running') {
        throw new FlywheelError(
          'conflict',
          `Experiment '${id}' is ${experiment.status}; results can only be added while it is running.`,
        );
      }
      const stored = current().results.get(id)!;
      for (const result of results) {
        const key = `${result.caseKey}\u0000${result.promptId}\u0000${result.providerId}\u0000${result.repeat}`;
        const seq = stored.get(key)?.seq ?? experiment.nextSeq;
        experiment.nextSeq += 1;
        stored.set(key, { ...structuredClone(result), seq });
      }
      return results.length;
    },
    async finish(projectId, id, status, summary, at) {
      const experiment = find(projectId, id);
      if (!experiment) return undefined;
      experiment.status = status;
      experiment.summary = summary === null ? null : structuredClone(summary);
      experiment.finishedAt = at;
      return view(experiment);
    },
    async listResults(projectId, id, options) {
      if (!find(projectId, id)) return [];
      return [...(current().results.get(id)?.values() ?? [])]
        .filter((result) => result.seq > (options.after ?? 0))
        .sort((a, b) => a.seq - b.seq)
        .slice(0, options.limit)
        .map((result) => structuredClone(result));
    },
  };
}
