// `@flywheel/core/tracing-writes`: what a trace writer needs at run time, and nothing else. The
// trace writer thread imports this rather than the package's root, whose graph includes every
// engine and the wire schemas (zod): loading those took most of the thread's ~230 ms of CPU at
// start-up, for code it never runs.
export {
  applyTraceBatch,
  joinTraceBatches,
  type RollupCell,
  rollupKey,
  type TraceBatchAccess,
} from './tracing/apply-trace-batch.js';
