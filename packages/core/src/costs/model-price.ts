/**
 * The list price of one model from one date on. A model's price history is several rows with
 * different `effectiveFrom` dates; the row in force at the time of a call prices it.
 */
export interface ModelPrice {
  /**
   * The gateway provider kind the price applies to (`openai`, `anthropic`, `openai-compatible`),
   * or `*` for any provider — for self-hosted models served under several providers.
   */
  provider: string;
  /** The model id as requested, without snapshot date (`gpt-4o`), or a full snapshot id. */
  model: string;
  /** ISO date (YYYY-MM-DD) the price applies from */
  effectiveFrom: string;
  /** USD per million input tokens that were not served from the prompt cache. */
  inputPerMillion: number;
  /** USD per million output tokens, reasoning tokens included. */
  outputPerMillion: number;
  /** USD per million input tokens read from the prompt cache; the input price when not set. */
  cachedInputPerMillion?: number;
  /** Always USD; named so that stored costs say what they are. */
  currency: 'USD';
}
