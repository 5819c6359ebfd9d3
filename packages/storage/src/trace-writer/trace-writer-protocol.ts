import type { TraceWriteBatch } from '@flywheel/core';

/** Messages to the writer thread. */
export type WriterRequest =
  | { id: number; type: 'write'; batches: TraceWriteBatch[] }
  | { id: number; type: 'close' };

/** Answers from the writer thread. */
export type WriterResponse =
  | { id: number; ok: true }
  | { id: number; ok: false; code: string | undefined; message: string };
