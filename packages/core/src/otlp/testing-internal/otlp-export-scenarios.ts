import {
  type Attributes,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

// The spans the OTLP tests record with the official OpenTelemetry SDK, one scenario per
// instrumentation convention. `otlp-test-export.ts` exports them with the official exporters.

/** A scenario: the resource of the service and the spans it records. */
export interface Scenario {
  resource: Attributes;
  record(tracer: Tracer): void;
}

/** Starts a span under `parent` (a span, or none for a root). */
function start(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  parent?: Span,
  kind: SpanKind = SpanKind.INTERNAL,
): Span {
  const context = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
  return tracer.startSpan(name, { attributes, kind }, context);
}

const json = (value: unknown) => JSON.stringify(value);

/** Every scenario, by name. */
export const scenarios = {
  // Every attribute type the SDK can record, parent and child, events and statuses.
  mixed: {
    resource: { 'service.name': 'checkout', 'service.version': '1.4.0' },
    record(tracer: Tracer) {
      const parent = start(tracer, 'parent', {}, undefined, SpanKind.SERVER);
      const child = start(
        tracer,
        'child',
        {
          text: 'héllo',
          count: 42,
          negative: -7,
          ratio: 0.25,
          flag: true,
          tags: ['a', 'b'],
          numbers: [1, 2.5],
        },
        parent,
        SpanKind.CLIENT,
      );
      child.end();
      const nested = start(tracer, 'nested', {}, child);
      nested.addEvent('retry', { attempt: 2 });
      nested.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timed out' });
      nested.end();
      parent.setStatus({ code: SpanStatusCode.OK });
      parent.end();
    },
  },

  // OpenTelemetry GenAI semantic conventions, current attribute names.
  'genai-chat': {
    resource: {
      'service.name': 'support-bot',
      'service.version': '2.3.1',
      'deployment.environment.name': 'production',
    },
    record(tracer: Tracer) {
      const root = start(tracer, 'handle-ticket', { 'user.id': 'user-7', 'session.id': 'session-1' });
      const chat = start(
        tracer,
        'chat gpt-4o',
        {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.request.temperature': 0.2,
          'gen_ai.usage.input_tokens': 120,
          'gen_ai.usage.output_tokens': 30,
          'gen_ai.usage.cache_read.input_tokens': 100,
          'gen_ai.usage.reasoning.output_tokens': 10,
          'gen_ai.response.time_to_first_chunk': 0.35,
          'gen_ai.system_instructions': json([{ type: 'text', content: 'Be brief.' }]),
          'gen_ai.input.messages': json([
            { role: 'user', parts: [{ type: 'text', content: 'Where is my order?' }] },
          ]),
          'gen_ai.output.messages': json([
            {
              role: 'assistant',
              parts: [{ type: 'text', content: 'It ships today.' }],
              finish_reason: 'stop',
            },
          ]),
        },
        root,
        SpanKind.CLIENT,
      );
      chat.end();
      const tool = start(
        tracer,
        'execute_tool lookup_order',
        {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'lookup_order',
          'gen_ai.tool.call.arguments': json({ orderId: 'A1' }),
          'gen_ai.tool.call.result': json({ status: 'shipped' }),
        },
        root,
      );
      tool.end();
      const failed = start(tracer, 'chat gpt-4o', { 'gen_ai.operation.name': 'chat' }, root);
      failed.recordException(new Error('rate limited'));
      failed.setStatus({ code: SpanStatusCode.ERROR });
      failed.end();
      root.end();
    },
  },

  // The Vercel AI SDK: outer calls wrap provider calls and tool calls and repeat their usage.
  vercel: {
    resource: { 'service.name': 'weather-app' },
    record(tracer: Tracer) {
      const outer = start(tracer, 'ai.generateText', {
        'operation.name': 'ai.generateText weather-agent',
        'ai.operationId': 'ai.generateText',
        'ai.model.id': 'gpt-4o-mini',
        'ai.model.provider': 'openai.chat',
        'ai.telemetry.functionId': 'weather-agent',
        'ai.telemetry.metadata.userId': 'user-42',
        'ai.telemetry.metadata.tenant': 'acme',
        'ai.prompt': json({ system: 'You are helpful.', prompt: 'Weather in Paris?' }),
        'ai.response.text': 'Sunny.',
        'ai.usage.promptTokens': 50,
        'ai.usage.completionTokens': 12,
      });
      const first = start(
        tracer,
        'ai.generateText.doGenerate',
        {
          'ai.operationId': 'ai.generateText.doGenerate',
          'ai.model.id': 'gpt-4o-mini',
          'ai.model.provider': 'openai.chat',
          'ai.prompt.messages': json([
            { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
          ]),
          'ai.response.toolCalls': json([
            { toolCallType: 'function', toolCallId: 'call_1', toolName: 'weather', args: '{"city":"Paris"}' },
          ]),
          'ai.response.finishReason': 'tool-calls',
          'ai.usage.promptTokens': 30,
          'ai.usage.completionTokens': 8,
          'gen_ai.system': 'openai.chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.usage.input_tokens': 30,
          'gen_ai.usage.output_tokens': 8,
        },
        outer,
        SpanKind.CLIENT,
      );
      first.end();
      const tool = start(
        tracer,
        'ai.toolCall',
        {
          'ai.operationId': 'ai.toolCall',
          'ai.toolCall.name': 'weather',
          'ai.toolCall.id': 'call_1',
          'ai.toolCall.args': json({ city: 'Paris' }),
          'ai.toolCall.result': json({ forecast: 'sunny' }),
        },
        outer,
      );
      tool.end();
      const second = start(
        tracer,
        'ai.generateText.doGenerate',
        {
          'ai.operationId': 'ai.generateText.doGenerate',
          'ai.model.id': 'gpt-4o-mini',
          'ai.model.provider': 'openai.chat',
          'ai.response.text': 'Sunny.',
          'ai.usage.promptTokens': 20,
          'ai.usage.completionTokens': 4,
        },
        outer,
        SpanKind.CLIENT,
      );
      second.end();
      outer.end();

      // AI SDK 5 usage names, streaming.
      const stream = start(tracer, 'ai.streamText', { 'ai.operationId': 'ai.streamText' });
      const doStream = start(
        tracer,
        'ai.streamText.doStream',
        {
          'ai.operationId': 'ai.streamText.doStream',
          'ai.model.id': 'claude-3-5-haiku-latest',
          'ai.model.provider': 'anthropic.messages',
          'ai.response.msToFirstChunk': 412.5,
          'ai.response.text': 'Hi!',
          'ai.usage.inputTokens': 10,
          'ai.usage.outputTokens': 5,
          'ai.usage.cachedInputTokens': 4,
          'ai.usage.reasoningTokens': 2,
        },
        stream,
        SpanKind.CLIENT,
      );
      doStream.end();
      stream.end();
    },
  },

  // OpenInference (Arize Phoenix instrumentations): a RAG chain.
  openinference: {
    resource: { 'service.name': 'rag', 'deployment.environment': 'staging' },
    record(tracer: Tracer) {
      const chain = start(tracer, 'rag-pipeline', {
        'openinference.span.kind': 'CHAIN',
        'input.value': 'What is OTLP?',
        'input.mime_type': 'text/plain',
        'output.value': json({ answer: 'A protocol.' }),
        'output.mime_type': 'application/json',
        'session.id': 'session-9',
        'user.id': 'user-9',
      });
      const retriever = start(
        tracer,
        'retrieve',
        {
          'openinference.span.kind': 'RETRIEVER',
          'input.value': 'What is OTLP?',
          'retrieval.documents.0.document.id': 'doc-1',
          'retrieval.documents.0.document.content': 'OTLP is the OpenTelemetry protocol.',
          'retrieval.documents.0.document.score': 0.9,
          'retrieval.documents.1.document.id': 'doc-2',
          'retrieval.documents.1.document.score': 0.5,
        },
        chain,
      );
      retriever.end();
      const llm = start(
        tracer,
        'llm',
        {
          'openinference.span.kind': 'LLM',
          'llm.model_name': 'claude-3-5-sonnet-20241022',
          'llm.provider': 'anthropic',
          'llm.system': 'anthropic',
          'llm.token_count.prompt': 200,
          'llm.token_count.completion': 40,
          'llm.token_count.prompt_details.cache_read': 150,
          'llm.invocation_parameters': json({ temperature: 0 }),
          'llm.input_messages.0.message.role': 'system',
          'llm.input_messages.0.message.content': 'Answer from the context.',
          'llm.input_messages.1.message.role': 'user',
          'llm.input_messages.1.message.content': 'What is OTLP?',
          'llm.output_messages.0.message.role': 'assistant',
          'llm.output_messages.0.message.content': 'A protocol.',
        },
        chain,
      );
      llm.end();
      chain.end();
    },
  },

  // OpenLLMetry (Traceloop) flattened messages, and the GenAI event form of messages.
  'flattened-and-events': {
    resource: { 'service.name': 'legacy' },
    record(tracer: Tracer) {
      const flat = start(tracer, 'openai.chat', {
        'llm.request.type': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-3.5-turbo',
        'gen_ai.response.model': 'gpt-3.5-turbo-0125',
        'gen_ai.usage.prompt_tokens': 15,
        'gen_ai.usage.completion_tokens': 5,
        'gen_ai.prompt.0.role': 'user',
        'gen_ai.prompt.0.content': 'Hi',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.content': 'Hello!',
        'gen_ai.completion.0.finish_reason': 'stop',
      });
      flat.end();
      const withEvents = start(tracer, 'chat claude', {
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'anthropic',
        'gen_ai.request.model': 'claude-3-haiku',
      });
      withEvents.addEvent('gen_ai.system.message', { 'gen_ai.system': 'anthropic', content: 'Be kind.' });
      withEvents.addEvent('gen_ai.user.message', { 'gen_ai.system': 'anthropic', content: 'Hi' });
      withEvents.addEvent('gen_ai.choice', {
        'gen_ai.system': 'anthropic',
        index: 0,
        finish_reason: 'end_turn',
        message: json({ role: 'assistant', content: 'Hello there!' }),
      });
      withEvents.addEvent('annotation', { note: 'kept' });
      withEvents.end();
    },
  },
} satisfies Record<string, Scenario>;

/** The name of a scenario. */
export type ScenarioName = keyof typeof scenarios;
