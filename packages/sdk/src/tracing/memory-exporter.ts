import type { IngestEvent } from '@flywheel/spec';
import type { IngestExporter, IngestExporterStats } from './ingest-exporter.js';

/** An exporter that keeps events in memory: for tests of code that records traces. */
export interface MemoryExporter extends IngestExporter {
  /** Every event enqueued so far, in order. */
  readonly events: IngestEvent[];
}

/**
 * A test double of the batching exporter.
 *
 * @example
 * const exporter = createMemoryExporter();
 * const tracer = createFlywheelTracer({ baseUrl: '', apiKey: '', exporter });
 * tracer.span({ name: 'x' }, () => 1);
 * exporter.events.map((event) => event.type); // ['trace-create', 'span-create', 'span-update', 'trace-update']
 */
export function createMemoryExporter(): MemoryExporter {
  const events: IngestEvent[] = [];
  const stats: IngestExporterStats = { queued: 0, sent: 0, dropped: 0, rejected: 0, retries: 0 };
  return {
    events,
    enqueue(event) {
      events.push(event);
      stats.sent++;
    },
    flush: async () => {},
    shutdown: async () => {},
    stats: () => ({ ...stats }),
  };
}
