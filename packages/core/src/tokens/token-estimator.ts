import type { ChatMessage } from '@flywheel/spec';
import type { TokenUsage } from './token-usage.js';

/** The tokenizer encodings Flywheel estimates with. */
export type TokenizerEncoding = 'o200k_base' | 'cl100k_base';

/** What {@link estimateChatUsage} counts. */
export interface ChatUsageEstimateInput {
  /** The model id as the client sent it; it picks the encoding. */
  model: string;
  /** The messages sent to the model. */
  messages: readonly ChatMessage[];
  /** The text the model answered with (all choices concatenated). */
  outputText: string;
  /** The tool calls the model answered with, serialised (names and JSON arguments). */
  outputToolCalls?: string;
}

// OpenAI's published recipe for chat models since gpt-3.5-turbo-0613: every message costs 3 tokens
// of framing (<|start|>role … <|end|>), a `name` one more, and every reply is primed with 3.
const tokensPerMessage = 3;
const tokensPerName = 1;
const tokensPerReplyPriming = 3;

// gpt-4 (and its -turbo, -32k and dated variants), gpt-3.5 and the embedding models use cl100k_base;
// gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and the o-series use o200k_base. `gpt-4` must be followed by `-`
// or the end so that gpt-4o and gpt-4.1 do not match.
const cl100kModelPattern = /^(gpt-4(-|$)|gpt-3\.5|text-embedding-)/;

/**
 * The encoding whose counts are closest to what the provider bills for `model`. Models of other
 * vendors (Claude, DeepSeek, Llama…) have tokenizers of their own; for them o200k_base is a stand-in
 * whose error depends on the vendor and the language of the text.
 *
 * @example
 * tokenizerEncodingForModel('gpt-4-0613'); // 'cl100k_base'
 * tokenizerEncodingForModel('openai/gpt-4o-mini'); // 'o200k_base'
 */
export function tokenizerEncodingForModel(model: string): TokenizerEncoding {
  // Routers such as OpenRouter prefix the vendor: `openai/gpt-4`.
  const modelId = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  return cl100kModelPattern.test(modelId) ? 'cl100k_base' : 'o200k_base';
}

/**
 * Estimates the usage of a chat completion the provider reported no usage for (a stream without
 * `include_usage`, an OpenAI-compatible server that omits it). Loads the tokenizer on first use.
 * Images, audio and files in array content are not counted: their price depends on resolution and
 * detail settings the text alone does not give, so estimates of multimodal calls are low.
 * Tool definitions (`tools`) are not part of the input and not counted either.
 *
 * @example
 * const usage = usageFromOpenAI(chunk.usage) ?? (await estimateChatUsage({ model, messages, outputText }));
 */
export async function estimateChatUsage(input: ChatUsageEstimateInput): Promise<TokenUsage> {
  const countTokens = await loadTokenCounter(tokenizerEncodingForModel(input.model));
  let inputTokens = tokensPerReplyPriming;
  for (const message of input.messages) {
    inputTokens += tokensPerMessage + countTokens(message.role) + countTokens(messageText(message));
    if (typeof message.name === 'string') inputTokens += tokensPerName + countTokens(message.name);
    for (const toolCall of message.tool_calls ?? []) {
      inputTokens +=
        countTokens(toolCall.function?.name ?? '') + countTokens(toolCall.function?.arguments ?? '');
    }
  }
  const outputTokens = countTokens(input.outputText) + countTokens(input.outputToolCalls ?? '');
  return { inputTokens, outputTokens, estimated: true };
}

/**
 * Counts the tokens of plain text, such as one input of an embeddings request (embeddings have no
 * per-message framing). Loads the tokenizer on first use.
 *
 * @example
 * const inputTokens = await estimateTextTokens('text-embedding-3-small', 'The quick brown fox');
 */
export async function estimateTextTokens(model: string, text: string): Promise<number> {
  const countTokens = await loadTokenCounter(tokenizerEncodingForModel(model));
  return countTokens(text);
}

/** The text of a message: string content, or the `text` parts of array content. */
function messageText(message: ChatMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (isTextPart(part)) text += part.text;
  }
  return text;
}

function isTextPart(part: unknown): part is { type: 'text'; text: string } {
  return (
    typeof part === 'object' &&
    part !== null &&
    'type' in part &&
    part.type === 'text' &&
    'text' in part &&
    typeof part.text === 'string'
  );
}

type CountTokens = (text: string) => number;

// The BPE ranks are megabytes of JavaScript (o200k_base some 2.4 MB), so each encoding is imported
// only when an estimate first needs it. The module loader (or the bundler's chunk loader in a
// browser) keeps the evaluated module, so later calls reuse the built encoder without a cache of
// our own: measured on Node 20, the first import takes some 200 ms, a repeated one 4 µs. Literal
// specifiers keep the imports visible to bundlers for code splitting.
async function loadTokenCounter(encoding: TokenizerEncoding): Promise<CountTokens> {
  const tokenizer =
    encoding === 'cl100k_base'
      ? await import('gpt-tokenizer/encoding/cl100k_base')
      : await import('gpt-tokenizer/encoding/o200k_base');
  // Special-token text such as `<|endoftext|>` in user content is counted as ordinary text, as the
  // provider does, instead of making the tokenizer throw.
  const plainText = { disallowedSpecial: new Set<string>() };
  return (text) => (text === '' ? 0 : tokenizer.countTokens(text, plainText));
}
