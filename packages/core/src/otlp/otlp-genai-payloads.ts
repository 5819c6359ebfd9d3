import { AttributeReader, parseJsonText } from './otlp-attribute-reader.js';
import type { OtlpEvent, OtlpValue } from './otlp-types.js';

// Where each instrumentation convention puts a span's input and output. Every source is tried in
// order and the first one present wins; a span follows one convention, so the order only
// matters for odd mixes. What a source takes is left out of the span's plain attributes.

/** Span events, remembering which ones a payload was built from. */
export class SpanEvents {
  private readonly used = new Set<OtlpEvent>();

  /** @param events the span's events, in order */
  constructor(private readonly events: OtlpEvent[]) {}

  /** Events whose name `wanted` knows; marks them used. */
  named(wanted: ReadonlyMap<string, string> | ReadonlySet<string>): OtlpEvent[] {
    const found = this.events.filter((event) => wanted.has(event.name));
    for (const event of found) this.used.add(event);
    return found;
  }

  /** Events no payload was built from. */
  rest(): OtlpEvent[] {
    return this.events.filter((event) => !this.used.has(event));
  }
}

/** A span's input, from whichever convention it follows; undefined when it has none. */
export function spanInput(reader: AttributeReader, events: SpanEvents): unknown {
  return (
    // Vercel AI SDK: tool calls, provider calls (`ai.prompt.messages`), outer calls, embeddings.
    reader.json('ai.toolCall.args', 'ai.toolCall.input', 'ai.prompt.messages', 'ai.prompt') ??
    reader.json('ai.values', 'ai.value') ??
    // OpenTelemetry GenAI, newest form first.
    genAiInputMessages(reader, events) ??
    reader.json('gen_ai.tool.call.arguments', 'gen_ai.retrieval.query.text') ??
    reader.indexed('gen_ai.prompt') ??
    reader.json('gen_ai.prompt') ??
    // OpenInference.
    reader.indexed('llm.input_messages')?.map((item) => field(item, 'message') ?? item) ??
    openInferenceValue(reader, 'input') ??
    // OpenLLMetry (Traceloop) workflow and task spans.
    reader.json('traceloop.entity.input')
  );
}

/** A span's output, from whichever convention it follows; undefined when it has none. */
export function spanOutput(reader: AttributeReader, events: SpanEvents): unknown {
  return (
    reader.json('ai.toolCall.result', 'ai.toolCall.output') ??
    vercelResponse(reader) ??
    genAiOutputMessages(reader, events) ??
    reader.json('gen_ai.tool.call.result', 'gen_ai.retrieval.documents') ??
    reader.indexed('gen_ai.completion') ??
    reader.json('gen_ai.completion') ??
    reader.indexed('llm.output_messages')?.map((item) => field(item, 'message') ?? item) ??
    reader.indexed('retrieval.documents')?.map((item) => field(item, 'document') ?? item) ??
    openInferenceValue(reader, 'output') ??
    reader.json('traceloop.entity.output')
  );
}

// A plain text answer stays text (it reads best); tool calls or a generated object make it an
// object so nothing is dropped.
function vercelResponse(reader: AttributeReader): unknown {
  const text = reader.string('ai.response.text');
  const toolCalls = reader.json('ai.response.toolCalls');
  const object = reader.json('ai.response.object');
  if (toolCalls === undefined && object === undefined) return text;
  return {
    ...(text === undefined ? {} : { text }),
    ...(toolCalls === undefined ? {} : { toolCalls }),
    ...(object === undefined ? {} : { object }),
  };
}

/** GenAI message events (the deprecated event form of messages) and the role each stands for. */
const messageEventRoles: ReadonlyMap<string, string> = new Map([
  ['gen_ai.system.message', 'system'],
  ['gen_ai.user.message', 'user'],
  ['gen_ai.assistant.message', 'assistant'],
  ['gen_ai.tool.message', 'tool'],
]);

const choiceEvents: ReadonlySet<string> = new Set(['gen_ai.choice']);

/** The event newer instrumentations use when content does not belong on the span itself. */
const operationDetailsEvents: ReadonlySet<string> = new Set(['gen_ai.client.inference.operation.details']);

// Attributes events repeat from the span; they say nothing about the message.
const eventNoise: ReadonlySet<string> = new Set(['gen_ai.system', 'gen_ai.provider.name', 'event.name']);

function genAiInputMessages(reader: AttributeReader, events: SpanEvents): unknown {
  let messages = reader.json('gen_ai.input.messages');
  let system = reader.json('gen_ai.system_instructions');
  if (messages === undefined)
    for (const event of events.named(operationDetailsEvents)) {
      const details = new AttributeReader(event.attributes);
      messages = details.json('gen_ai.input.messages');
      system ??= details.json('gen_ai.system_instructions');
      if (messages !== undefined) break;
    }
  if (messages === undefined) {
    const fromEvents = events.named(messageEventRoles).map((event) => ({
      role: messageEventRoles.get(event.name),
      ...eventMessage(event.attributes),
    }));
    if (fromEvents.length > 0) messages = fromEvents;
  }
  return withSystemInstructions(messages, system);
}

function genAiOutputMessages(reader: AttributeReader, events: SpanEvents): unknown {
  const fromSpan = reader.json('gen_ai.output.messages');
  if (fromSpan !== undefined) return fromSpan;
  for (const event of events.named(operationDetailsEvents)) {
    const fromEvent = new AttributeReader(event.attributes).json('gen_ai.output.messages');
    if (fromEvent !== undefined) return fromEvent;
  }
  // A choice carries its message in `message` (structured or JSON) plus index and finish reason.
  const choices = events.named(choiceEvents).map((event) => {
    const { message, ...rest } = eventMessage(event.attributes);
    const parsed = typeof message === 'string' ? parseJsonText(message) : message;
    return isObject(parsed)
      ? { ...rest, ...parsed }
      : { ...rest, ...(parsed === undefined ? {} : { message }) };
  });
  return choices.length > 0 ? choices : undefined;
}

/** System instructions go first, as the system message they were sent as. */
function withSystemInstructions(messages: unknown, system: unknown): unknown {
  if (system === undefined) return messages;
  const systemMessage = { role: 'system', parts: system };
  if (messages === undefined) return [systemMessage];
  return Array.isArray(messages) ? [systemMessage, ...messages] : { system, messages };
}

function eventMessage(attributes: Record<string, OtlpValue>): Record<string, unknown> {
  // Defined, not assigned: a `__proto__` key stays an ordinary own property.
  const message: Record<string, unknown> = {};
  for (const key of Object.keys(attributes))
    if (!eventNoise.has(key))
      Object.defineProperty(message, key, {
        value: attributes[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
  return message;
}

function openInferenceValue(reader: AttributeReader, direction: 'input' | 'output'): unknown {
  const mimeType = reader.peekString(`${direction}.mime_type`);
  const value = reader.peek(`${direction}.value`);
  if (value === undefined || value === null || value === '') return undefined;
  reader.take(`${direction}.mime_type`, mimeType);
  // Only declared JSON is parsed: plain text that happens to start with `{` stays text.
  return reader.take(
    `${direction}.value`,
    typeof value === 'string' && mimeType === 'application/json' ? parseJsonText(value) : value,
  );
}

function field(item: unknown, key: string): unknown {
  return isObject(item) && Object.hasOwn(item, key) ? item[key] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
