import type { PromptVersionRecord } from '@flywheel/core';
import { type ChatCompletionRequest, type ChatMessage, compileTemplate } from '@flywheel/spec';
import { invalidParameter } from './openai-error.js';

/**
 * The request a prompt reference stands for: the prompt's config under the request's own
 * fields (a field the request sets wins), the rendered template as the first messages, then
 * any messages the request sent (a conversation so far). `prompt` itself is never forwarded.
 */
export function applyPrompt(
  body: ChatCompletionRequest,
  version: PromptVersionRecord,
  variables: Record<string, unknown>,
): ChatCompletionRequest {
  const rendered = compileTemplate(version.template, variables);
  const promptMessages: ChatMessage[] =
    typeof rendered === 'string'
      ? [{ role: 'user', content: rendered }]
      : rendered.map((message) => ({ role: message.role, content: message.content }) as ChatMessage);
  const { prompt: _prompt, ...rest } = body as ChatCompletionRequest & { prompt?: unknown };
  const merged = {
    ...version.config,
    ...rest,
    messages: [...promptMessages, ...((rest.messages as ChatMessage[] | undefined) ?? [])],
  } as ChatCompletionRequest;
  if (typeof merged.model !== 'string' || merged.model === '') {
    throw invalidParameter(
      'model',
      `Prompt '${version.name}' version ${version.version} names no model in its config; send "model" with the request.`,
    );
  }
  return merged;
}
