// Lenient types of the OpenAI chat and embeddings wire format: only the fields Flywheel reads
// are named; everything else passes through untouched (OpenAI-compatible vendors differ).

/** A chat message as clients send it. `content` may be a string or an array of parts (text, images). */
export interface ChatMessage {
  role: string;
  content?: unknown;
  name?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  [field: string]: unknown;
}

export interface ChatToolCall {
  id?: string;
  type?: string;
  index?: number;
  function?: { name?: string; arguments?: string };
}

/** The body of `POST /v1/chat/completions`. Unknown fields pass through to the upstream. */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean; [field: string]: unknown } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  tools?: unknown[];
  tool_choice?: unknown;
  response_format?: unknown;
  user?: string;
  [field: string]: unknown;
}

/** Token usage as OpenAI reports it. */
export interface OpenAIUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

/** A non-streamed chat completion. */
export interface ChatCompletion {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: ChatMessage;
    finish_reason: string | null;
    [field: string]: unknown;
  }>;
  usage?: OpenAIUsage | null;
  [field: string]: unknown;
}

/** One streamed chunk (`data: {...}`) of a chat completion. */
export interface ChatCompletionChunk {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: { role?: string; content?: string | null; tool_calls?: ChatToolCall[]; [field: string]: unknown };
    finish_reason: string | null;
    [field: string]: unknown;
  }>;
  usage?: OpenAIUsage | null;
  [field: string]: unknown;
}

/** The body of `POST /v1/embeddings`. */
export interface EmbeddingRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: string;
  dimensions?: number;
  [field: string]: unknown;
}

/** The answer of `POST /v1/embeddings`. */
export interface EmbeddingResponse {
  object: string;
  data: Array<{ object: string; index: number; embedding: number[] | string }>;
  model: string;
  usage?: { prompt_tokens?: number | null; total_tokens?: number | null } | null;
  [field: string]: unknown;
}

/** The OpenAI error body, which the gateway answers with on `/v1/*`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}
