import type { ExperimentResultRecord, TraceWriteBatch } from '@flywheel/core';

/** Messages to the writer thread. */
export type WriterRequest =
  | { id: number; type: 'write'; batches: TraceWriteBatch[] }
  | {
      id: number;
      type: 'experiment-results';
      projectId: string;
      experimentId: string;
      results: ExperimentResultRecord[];
    }
  | { id: number; type: 'close' };

/** Answers from the writer thread (`stored`: results appended, for `experiment-results`). */
export type WriterResponse =
  | { id: number; ok: true; stored?: number }
  | { id: number; ok: false; code: string | undefined; message: string };
