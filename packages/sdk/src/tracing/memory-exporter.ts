import type { IngestEvent } from '@flywheel/spec';
import type { FlushResult } from './flush-tracker.js';
import type { IngestExporter, IngestExporterStats } from './ingest-exporter.js';

/** An exporter that keeps events in memory, for tests of code that records traces. */
export interface MemoryExporter extends IngestExporter {
  /** Every event accepted so far, in order. */
  readonly events: IngestEvent[];
}

/**
 * A test double of the batching exporter: every event is "acknowledged" at once and kept in
 * `events`; after `shutdown()` events are dropped and counted, as by the real one.
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
  let shutDown = false;
  const settled = async (): Promise<FlushResult> => ({
    ok: true,
    sent: 0,
    rejected: 0,
    dropped: 0,
    pending: 0,
    timedOut: false,
    failures: [],
  });
  return {
    events,
    enqueue(event) {
      if (shutDown) {
        stats.dropped++;
        return false;
      }
      events.push(event);
      stats.sent++;
      return true;
    },
    flush: settled,
    shutdown: () => {
      shutDown = true;
      return settled();
    },
    stats: () => ({ ...stats }),
  };
}
