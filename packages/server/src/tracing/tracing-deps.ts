import type { IngestQueue, PriceTable } from '@flywheel/core';

/** What ingestion and trace queries need; built by `main.ts` (or a test). */
export interface TracingDeps {
  /** Commits ingested batches (group commit) and acknowledges only what is durable. */
  queue: IngestQueue;
  /** Prices usage of ingested spans that name a model but no cost. */
  prices: PriceTable;
  /** Inputs and outputs are kept up to this many bytes each (UTF-8 of their JSON). */
  maxPayloadBytes: number;
}
