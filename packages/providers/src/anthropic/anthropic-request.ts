import type { ChatCompletionRequest } from '@flywheel/spec';
import { anthropicUnsupportedError } from './anthropic-errors.js';
import type {
  AnthropicMessagesRequest,
  AnthropicTool,
  AnthropicToolChoice,
} from './anthropic-messages-types.js';
import { toAnthropicConversation } from './anthropic-request-messages.js';

/**
 * The tool that carries a `response_format` answer. Anthropic has no JSON mode; its documented
 * way to get JSON is to force the model to call one tool whose input schema is the wanted JSON
 * schema, and read the call's input as the answer.
 */
export const jsonResponseToolName = 'json_response';

/** What {@link toAnthropicRequest} needs besides the body. */
export interface AnthropicRequestOptions {
  /** The upstream model id, e.g. `claude-sonnet-4-5`. */
  modelId: string;
  /** `max_tokens` when the client sets neither `max_tokens` nor `max_completion_tokens`. */
  defaultMaxTokens: number;
}

/** A translated request and what is needed to translate its answer back. */
export interface AnthropicRequestTranslation {
  request: AnthropicMessagesRequest;
  /** True when the answer is JSON carried by the {@link jsonResponseToolName} tool. */
  jsonMode: boolean;
}

/**
 * Translates an OpenAI chat.completions body into a Messages API body.
 *
 * Translated: messages (see `toAnthropicConversation`), `max_completion_tokens`/`max_tokens`,
 * `temperature`, `top_p`, `stop`, `stream`, `tools`, `tool_choice`, `parallel_tool_calls: false` (true is Anthropic's default),
 * `user` (or `safety_identifier`) as `metadata.user_id`, and `response_format` through a forced tool.
 *
 * Refused with a 400, because dropping them would change the answer: `n` above 1, the legacy
 * `functions`/`function_call`, non-function tools, `response_format` together with `tools`.
 *
 * Dropped, because Anthropic has no equivalent and rejects unknown fields: `logprobs`,
 * `top_logprobs`, `logit_bias`, `presence_penalty`, `frequency_penalty`, `seed`, `n: 1`,
 * `stream_options` (applied by the stream translation instead), `service_tier`, `store`,
 * OpenAI's `metadata`, `reasoning_effort`, `modalities`, `audio`, `prediction`, `verbosity`,
 * `web_search_options`, `prompt_cache_key`, image `detail`, message `name`, and any unknown field.
 * `temperature` is passed on as given: Anthropic's range is 0–1, and it answers a 400 above that.
 *
 * @example
 * const { request, jsonMode } = toAnthropicRequest(body, { modelId: 'claude-sonnet-4-5', defaultMaxTokens: 4096 });
 */
export function toAnthropicRequest(
  body: ChatCompletionRequest,
  options: AnthropicRequestOptions,
): AnthropicRequestTranslation {
  if (typeof body.n === 'number' && body.n > 1) {
    throw anthropicUnsupportedError('n > 1 is not supported: Anthropic returns one choice per request.', 'n');
  }
  if (body.functions !== undefined || body.function_call !== undefined) {
    throw anthropicUnsupportedError(
      'functions and function_call are not supported; use tools and tool_choice.',
      'functions',
    );
  }
  if (!Array.isArray(body.messages))
    throw anthropicUnsupportedError('messages must be an array.', 'messages');
  const { system, messages } = toAnthropicConversation(body.messages);
  const request: AnthropicMessagesRequest = {
    model: options.modelId,
    max_tokens:
      numberOrUndefined(body.max_completion_tokens) ??
      numberOrUndefined(body.max_tokens) ??
      options.defaultMaxTokens,
    messages,
  };
  if (system !== undefined) request.system = system;
  const temperature = numberOrUndefined(body.temperature);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = numberOrUndefined(body.top_p);
  if (topP !== undefined) request.top_p = topP;
  const stop = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop : [];
  if (stop.length > 0) request.stop_sequences = stop;
  if (body.stream === true) request.stream = true;
  const user = typeof body.user === 'string' ? body.user : body.safety_identifier;
  if (typeof user === 'string' && user !== '') request.metadata = { user_id: user };

  const jsonTool = jsonResponseTool(body.response_format);
  if (jsonTool) {
    if (Array.isArray(body.tools) && body.tools.length > 0) {
      throw anthropicUnsupportedError(
        'response_format cannot be combined with tools: Anthropic has no JSON mode, and the adapter emulates it by forcing a single tool.',
        'response_format',
      );
    }
    request.tools = [jsonTool];
    request.tool_choice = { type: 'tool', name: jsonTool.name };
    return { request, jsonMode: true };
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    request.tools = body.tools.map(toAnthropicTool);
    const toolChoice = toAnthropicToolChoice(body.tool_choice, body.parallel_tool_calls === false);
    if (toolChoice) request.tool_choice = toolChoice;
  }
  return { request, jsonMode: false };
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function toAnthropicTool(tool: unknown, index: number): AnthropicTool {
  const where = `tools[${index}]`;
  const fields = (tool ?? {}) as {
    type?: unknown;
    function?: { name?: unknown; description?: unknown; parameters?: unknown };
  };
  if (fields.type !== 'function' || typeof fields.function?.name !== 'string') {
    throw anthropicUnsupportedError(`${where} must be a function tool with a name.`, where);
  }
  const { name, description, parameters } = fields.function;
  return {
    name,
    ...(typeof description === 'string' && description !== '' ? { description } : {}),
    // OpenAI lets a function omit its parameters; Anthropic requires an object schema.
    input_schema: isObject(parameters) ? parameters : { type: 'object', properties: {} },
  };
}

function toAnthropicToolChoice(choice: unknown, oneCallOnly: boolean): AnthropicToolChoice | undefined {
  const parallel = oneCallOnly ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined || choice === null) return oneCallOnly ? { type: 'auto', ...parallel } : undefined;
  if (choice === 'auto') return { type: 'auto', ...parallel };
  if (choice === 'required') return { type: 'any', ...parallel };
  if (choice === 'none') return { type: 'none' };
  const named = choice as { type?: unknown; function?: { name?: unknown } };
  if (named.type === 'function' && typeof named.function?.name === 'string') {
    return { type: 'tool', name: named.function.name, ...parallel };
  }
  throw anthropicUnsupportedError(
    "tool_choice must be 'auto', 'required', 'none' or { type: 'function', function: { name } }.",
    'tool_choice',
  );
}

/** The forced tool for `response_format`, or undefined for plain text. */
function jsonResponseTool(format: unknown): AnthropicTool | undefined {
  if (format === undefined || format === null) return undefined;
  const fields = format as { type?: unknown; json_schema?: { description?: unknown; schema?: unknown } };
  if (fields.type === 'text') return undefined;
  if (fields.type === 'json_object') {
    return {
      name: jsonResponseToolName,
      description: 'Answer with a JSON object.',
      input_schema: { type: 'object' },
    };
  }
  if (fields.type === 'json_schema') {
    const description = fields.json_schema?.description;
    const schema = fields.json_schema?.schema;
    return {
      name: jsonResponseToolName,
      description:
        typeof description === 'string' && description !== ''
          ? description
          : 'Answer with JSON that matches this schema.',
      input_schema: isObject(schema) ? schema : { type: 'object' },
    };
  }
  throw anthropicUnsupportedError(
    "response_format.type must be 'text', 'json_object' or 'json_schema'.",
    'response_format',
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
