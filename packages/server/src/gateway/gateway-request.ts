import {
  type ChatCompletionRequest,
  type EmbeddingRequest,
  promptLabelSchema,
  promptNameSchema,
} from '@flywheel/spec';
import { z } from 'zod';
import { invalidParameter } from './openai-error.js';

/**
 * Fields that would let a caller choose where a request goes or which credentials it carries
 * (the LiteLLM `api_base` class of SSRF). They are removed, never forwarded, never obeyed.
 */
export const routingFields = [
  'api_base',
  'base_url',
  'api_key',
  'api_version',
  'custom_llm_provider',
  'extra_headers',
  'extra_query',
  'headers',
];

/** A checked chat request: the body to forward and what was removed from it. */
export interface CheckedRequest<T> {
  body: T;
  ignoredFields: string[];
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidParameter('body', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

function withoutRoutingFields(body: Record<string, unknown>): {
  rest: Record<string, unknown>;
  ignoredFields: string[];
} {
  const ignoredFields = routingFields.filter((field) => Object.hasOwn(body, field));
  if (ignoredFields.length === 0) return { rest: body, ignoredFields };
  const rest = { ...body };
  for (const field of ignoredFields) delete rest[field];
  return { rest, ignoredFields };
}

/**
 * Checks the parts of a chat request the gateway relies on; everything else passes through to
 * the provider untouched (vendors accept fields OpenAI does not).
 */
export function checkChatRequest(raw: unknown): CheckedRequest<ChatCompletionRequest> & {
  prompt: GatewayPromptRef | undefined;
} {
  const { rest, ignoredFields } = withoutRoutingFields(asObject(raw));
  const prompt = checkPromptRef(rest.prompt);
  // With a prompt, the model may come from the prompt's config and the messages from its template.
  if (prompt === undefined || rest.model !== undefined) {
    if (typeof rest.model !== 'string' || rest.model === '')
      throw invalidParameter('model', 'model must be the name of a model, e.g. "chat-default".');
  }
  if (prompt === undefined || rest.messages !== undefined) {
    if (!Array.isArray(rest.messages) || (prompt === undefined && rest.messages.length === 0)) {
      throw invalidParameter(
        'messages',
        prompt === undefined
          ? 'messages must be a non-empty array of {role, content} objects (or name a stored prompt with "prompt").'
          : 'messages, next to a prompt, must be an array of {role, content} objects (they follow the rendered prompt).',
      );
    }
  }
  (rest.messages as unknown[] | undefined)?.forEach((message, index) => {
    if (
      message === null ||
      typeof message !== 'object' ||
      typeof (message as { role?: unknown }).role !== 'string'
    ) {
      throw invalidParameter(
        `messages[${index}]`,
        `messages[${index}] must be an object with a string role.`,
      );
    }
  });
  if (rest.stream !== undefined && typeof rest.stream !== 'boolean')
    throw invalidParameter('stream', 'stream must be true or false.');
  if (
    rest.stream_options !== undefined &&
    rest.stream_options !== null &&
    typeof rest.stream_options !== 'object'
  ) {
    throw invalidParameter('stream_options', 'stream_options must be an object.');
  }
  return { body: rest as ChatCompletionRequest, ignoredFields, prompt };
}

/** A stored prompt named by a chat request instead of (or before) its messages. */
export interface GatewayPromptRef {
  name: string;
  ref: { version: number } | { label: string };
  variables: Record<string, unknown>;
}

const gatewayPromptSchema = z.strictObject({
  name: promptNameSchema,
  label: promptLabelSchema.optional(),
  version: z.number().int().positive().optional(),
  variables: z.record(z.string(), z.unknown()).optional(),
});

function checkPromptRef(raw: unknown): GatewayPromptRef | undefined {
  if (raw === undefined) return undefined;
  const parsed = gatewayPromptSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = ['prompt', ...(issue?.path ?? []).map(String)].join('.');
    throw invalidParameter(
      where,
      `${where}: ${issue?.message ?? 'is invalid'}. Send {"prompt": {"name": "support/triage", "label": "production", "variables": {…}}}.`,
    );
  }
  const { name, label, version, variables } = parsed.data;
  if (label !== undefined && version !== undefined)
    throw invalidParameter('prompt', 'prompt takes a label or a version, not both.');
  return {
    name,
    ref: version !== undefined ? { version } : { label: label ?? 'production' },
    variables: variables ?? {},
  };
}

/** Checks an embeddings request. */
export function checkEmbeddingRequest(raw: unknown): CheckedRequest<EmbeddingRequest> {
  const { rest, ignoredFields } = withoutRoutingFields(asObject(raw));
  if (typeof rest.model !== 'string' || rest.model === '')
    throw invalidParameter('model', 'model must be the name of a model.');
  const input = rest.input;
  const valid =
    typeof input === 'string' ||
    (Array.isArray(input) &&
      input.length > 0 &&
      (input.every((item) => typeof item === 'string') ||
        input.every((item) => typeof item === 'number' || Array.isArray(item))));
  if (!valid)
    throw invalidParameter('input', 'input must be a string, an array of strings, or token arrays.');
  return { body: rest as EmbeddingRequest, ignoredFields };
}

/** The cache mode a request asks for with `x-flywheel-cache`. */
export type CacheMode = 'use' | 'skip' | 'refresh';

export function parseCacheMode(header: string | string[] | undefined): CacheMode | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  if (value === 'use' || value === 'skip' || value === 'refresh') return value;
  throw invalidParameter('x-flywheel-cache', 'The x-flywheel-cache header must be use, skip or refresh.');
}
