import type { ChatMessage, ChatToolCall } from '@flywheel/spec';
import { anthropicUnsupportedError } from './anthropic-errors.js';
import type {
  AnthropicImageBlock,
  AnthropicMessageParam,
  AnthropicRequestBlock,
  AnthropicTextBlock,
} from './anthropic-messages-types.js';

/** An OpenAI conversation split the way the Messages API wants it. */
export interface AnthropicConversation {
  /** Every system and developer message, in order, joined by blank lines. */
  system?: string;
  /** User and assistant turns, strictly alternating. */
  messages: AnthropicMessageParam[];
}

/**
 * Translates OpenAI chat messages into Anthropic turns. System and developer messages, which
 * Anthropic only takes at the top level, are hoisted wherever they stand; tool results become
 * `tool_result` blocks of a user turn; consecutive turns of one role are merged, because
 * Anthropic requires user and assistant to alternate. A message's `name` is dropped: Anthropic
 * has no speaker names. Anything that cannot be expressed is refused with a 400, never dropped.
 */
export function toAnthropicConversation(messages: readonly ChatMessage[]): AnthropicConversation {
  const system: string[] = [];
  const turns: AnthropicMessageParam[] = [];
  for (const [index, message] of messages.entries()) {
    const where = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = textOf(message.content, where);
        if (text !== '') system.push(text);
        break;
      }
      case 'user':
        appendTurn(turns, 'user', userBlocks(message.content, where));
        break;
      case 'assistant':
        appendTurn(turns, 'assistant', [
          ...assistantTextBlocks(message.content, where),
          ...(message.tool_calls ?? []).map((call, callIndex) =>
            toolUseBlock(call, `${where}.tool_calls[${callIndex}]`),
          ),
        ]);
        break;
      case 'tool':
        appendTurn(turns, 'user', [toolResultBlock(message, where)]);
        break;
      default:
        throw anthropicUnsupportedError(
          `${where}.role '${message.role}' is not supported; use system, developer, user, assistant or tool.`,
          `${where}.role`,
        );
    }
  }
  return { ...(system.length > 0 ? { system: system.join('\n\n') } : {}), messages: turns };
}

function appendTurn(
  turns: AnthropicMessageParam[],
  role: 'user' | 'assistant',
  blocks: AnthropicRequestBlock[],
): void {
  // Anthropic rejects empty turns, e.g. an assistant message with neither content nor tool calls.
  if (blocks.length === 0) return;
  const last = turns.at(-1);
  if (last?.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
  const turn = turns.at(-1)!;
  // In a user turn, tool results must come before any text; a stable sort keeps the rest in order.
  if (role === 'user') turn.content.sort((a, b) => rankInUserTurn(a) - rankInUserTurn(b));
}

function rankInUserTurn(block: AnthropicRequestBlock): number {
  return block.type === 'tool_result' ? 0 : 1;
}

/** Parts of a message's content: a string is one text part. */
function partsOf(content: unknown, where: string): Array<Record<string, unknown>> {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content))
    throw anthropicUnsupportedError(
      `${where}.content must be a string or an array of parts.`,
      `${where}.content`,
    );
  return content.map((part, index) => {
    if (part === null || typeof part !== 'object') {
      throw anthropicUnsupportedError(`${where}.content[${index}] must be an object.`, `${where}.content`);
    }
    return part as Record<string, unknown>;
  });
}

function textOf(content: unknown, where: string): string {
  return textBlocks(content, where)
    .map((block) => block.text)
    .join('\n\n');
}

function textBlocks(content: unknown, where: string): AnthropicTextBlock[] {
  return partsOf(content, where).flatMap((part, index) => {
    if (part.type !== 'text' || typeof part.text !== 'string') {
      throw anthropicUnsupportedError(
        `${where}.content[${index}] has type '${String(part.type)}'; only text parts are supported here.`,
        `${where}.content`,
      );
    }
    // Anthropic rejects empty text blocks, which OpenAI clients send freely (e.g. `content: ''`).
    return part.text === '' ? [] : [{ type: 'text' as const, text: part.text }];
  });
}

function assistantTextBlocks(content: unknown, where: string): AnthropicTextBlock[] {
  // An assistant refusal is text the model said; keep it so the history stays truthful.
  const parts = partsOf(content, where).map((part) =>
    part.type === 'refusal' && typeof part.refusal === 'string' ? { type: 'text', text: part.refusal } : part,
  );
  return textBlocks(parts, where);
}

function userBlocks(content: unknown, where: string): Array<AnthropicTextBlock | AnthropicImageBlock> {
  return partsOf(content, where).flatMap((part, index): Array<AnthropicTextBlock | AnthropicImageBlock> => {
    const partWhere = `${where}.content[${index}]`;
    if (part.type === 'text' && typeof part.text === 'string') {
      return part.text === '' ? [] : [{ type: 'text', text: part.text }];
    }
    if (part.type === 'image_url') return [imageBlock(part.image_url, partWhere)];
    throw anthropicUnsupportedError(
      `${partWhere} has type '${String(part.type)}'; Anthropic takes text and image_url parts only.`,
      `${where}.content`,
    );
  });
}

/** `image_url` is `{ url, detail }` or, from lenient clients, the URL itself; `detail` has no equivalent. */
function imageBlock(imageUrl: unknown, where: string): AnthropicImageBlock {
  const url = typeof imageUrl === 'string' ? imageUrl : (imageUrl as { url?: unknown } | null)?.url;
  if (typeof url !== 'string')
    throw anthropicUnsupportedError(`${where}.image_url.url is missing.`, `${where}.image_url`);
  const data = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (data) {
    const [, mediaType = '', parameters = '', payload = ''] = data;
    if (!parameters.split(';').includes('base64')) {
      throw anthropicUnsupportedError(
        `${where}.image_url is a data: URL that is not base64-encoded.`,
        `${where}.image_url`,
      );
    }
    return { type: 'image', source: { type: 'base64', media_type: mediaType, data: payload } };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw anthropicUnsupportedError(
    `${where}.image_url must be an http(s) or a base64 data: URL.`,
    `${where}.image_url`,
  );
}

function toolUseBlock(call: ChatToolCall, where: string): AnthropicRequestBlock {
  if (typeof call.id !== 'string' || call.id === '' || typeof call.function?.name !== 'string') {
    throw anthropicUnsupportedError(`${where} needs an id and a function name.`, where);
  }
  return {
    type: 'tool_use',
    id: toolUseId(call.id),
    name: call.function.name,
    input: toolInput(call.function.arguments, where),
  };
}

/** OpenAI sends arguments as a JSON string; Anthropic wants the object itself. */
function toolInput(argumentsText: string | undefined, where: string): Record<string, unknown> {
  if (argumentsText === undefined || argumentsText.trim() === '') return {};
  let input: unknown;
  try {
    input = JSON.parse(argumentsText);
  } catch {
    throw anthropicUnsupportedError(
      `${where}.function.arguments is not valid JSON.`,
      `${where}.function.arguments`,
    );
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw anthropicUnsupportedError(
      `${where}.function.arguments must encode a JSON object.`,
      `${where}.function.arguments`,
    );
  }
  return input as Record<string, unknown>;
}

function toolResultBlock(message: ChatMessage, where: string): AnthropicRequestBlock {
  if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') {
    throw anthropicUnsupportedError(`${where}.tool_call_id is missing.`, `${where}.tool_call_id`);
  }
  const tool_use_id = toolUseId(message.tool_call_id);
  if (typeof message.content === 'string') {
    return message.content === ''
      ? { type: 'tool_result', tool_use_id }
      : { type: 'tool_result', tool_use_id, content: message.content };
  }
  const content = userBlocks(message.content, where);
  return content.length === 0
    ? { type: 'tool_result', tool_use_id }
    : { type: 'tool_result', tool_use_id, content };
}

/**
 * Anthropic accepts tool ids of `[a-zA-Z0-9_-]` only, while ids minted by other providers may
 * hold other characters. The same rewrite on both sides keeps each call paired with its result.
 */
function toolUseId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_');
}
