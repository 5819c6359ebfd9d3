/** One turn of a conversation, reduced to text for display. */
export interface ChatTurn {
  /** `system`, `user`, `assistant`, `tool`, … as recorded. */
  role: string;
  /** The message's text; parts that are not text are named (`[image]`). */
  text: string;
  /** Tool calls the message asked for: `name(arguments)`. */
  toolCalls: string[];
  /** Whether this turn is the span's output rather than part of its input. */
  isOutput: boolean;
}

/**
 * A span's input and output as a conversation, when they look like chat: the input a list of
 * messages (or a request with `messages`, as the gateway records it), the output a message, a
 * completion with `choices`, or plain text. Undefined when the input holds no messages.
 */
export function toConversation(input: unknown, output: unknown): ChatTurn[] | undefined {
  const messages = inputMessages(input);
  if (!messages) return undefined;
  const turns = messages.map((message) => toTurn(message, false));
  const answer = outputMessage(output);
  if (answer) turns.push(answer);
  return turns;
}

function inputMessages(input: unknown): Record<string, unknown>[] | undefined {
  const list = isRecord(input) && Array.isArray(input.messages) ? input.messages : input;
  if (!Array.isArray(list) || list.length === 0 || !list.every(isMessage)) return undefined;
  return list;
}

function outputMessage(output: unknown): ChatTurn | undefined {
  if (typeof output === 'string') return { role: 'assistant', text: output, toolCalls: [], isOutput: true };
  if (isMessage(output)) return toTurn(output, true);
  if (isRecord(output) && Array.isArray(output.choices)) {
    const first: unknown = output.choices[0];
    if (isRecord(first) && isMessage(first.message)) return toTurn(first.message, true);
  }
  return undefined;
}

function isMessage(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && typeof value.role === 'string' && ('content' in value || 'tool_calls' in value);
}

function toTurn(message: Record<string, unknown>, isOutput: boolean): ChatTurn {
  return {
    role: String(message.role),
    text: contentText(message.content),
    toolCalls: Array.isArray(message.tool_calls) ? message.tool_calls.map(toolCallText) : [],
    isOutput,
  };
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) return content.map(partText).join('\n');
  return JSON.stringify(content, null, 2);
}

function partText(part: unknown): string {
  if (typeof part === 'string') return part;
  if (isRecord(part)) {
    if (typeof part.text === 'string') return part.text;
    if (typeof part.type === 'string') return `[${part.type.replace(/_url$/, '')}]`;
  }
  return JSON.stringify(part);
}

function toolCallText(call: unknown): string {
  if (!isRecord(call)) return JSON.stringify(call);
  const fn = isRecord(call.function) ? call.function : call;
  const name = typeof fn.name === 'string' ? fn.name : 'tool';
  const args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {});
  return `${name}(${args})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
