import type { SpanRecord, TraceRecord } from '@flywheel/core';

/** One trace and its spans, for one project. */
export interface TraceWriteItem {
  projectId: string;
  trace: TraceRecord;
  spans: SpanRecord[];
}

/** Messages to the writer thread. */
export type WriterRequest =
  | { id: number; type: 'write'; items: TraceWriteItem[] }
  | { id: number; type: 'close' };

/** Answers from the writer thread. */
export type WriterResponse =
  | { id: number; ok: true }
  | { id: number; ok: false; code: string | undefined; message: string };
