import type {
  ExperimentRecord,
  ExperimentResultRecord,
  ExperimentStatus,
} from '../eval/experiments/experiment.js';

/** Storage of evaluation runs and their results, scoped by project. */
export interface ExperimentStore {
  create(experiment: ExperimentRecord): Promise<void>;
  get(projectId: string, id: string): Promise<ExperimentRecord | undefined>;
  /** Newest first. */
  list(
    projectId: string,
    options: { limit: number; name?: string; status?: ExperimentStatus },
  ): Promise<ExperimentRecord[]>;
  /**
   * Stores results; one that was stored before (same case key, prompt, model and repeat) is
   * replaced, so a retried request stores nothing twice. Returns how many the batch held.
   */
  appendResults(projectId: string, id: string, results: ExperimentResultRecord[]): Promise<number>;
  /** Marks the run finished; undefined when there is no such experiment. */
  finish(
    projectId: string,
    id: string,
    status: Exclude<ExperimentStatus, 'running'>,
    summary: Record<string, unknown> | null,
    at: string,
  ): Promise<ExperimentRecord | undefined>;
  /** Results in the order they were first stored; `after` is the `seq` of the last one seen. */
  listResults(
    projectId: string,
    id: string,
    options: { after?: number; limit: number },
  ): Promise<Array<ExperimentResultRecord & { seq: number }>>;
}
