// `@flywheel/core/gateway-records`: what the trace indexer thread needs to turn gateway calls into
// traces, and nothing else (the package's root would load every engine and the wire schemas).
export { defaultPrices } from './costs/default-prices.js';
export type { ModelPrice } from './costs/model-price.js';
export { createPriceTable } from './costs/price-table.js';
export {
  type ForwardedStream,
  type GatewayGenerationRecord,
  type GenerationBatchOptions,
  generationBatch,
} from './tracing/gateway-generation.js';
