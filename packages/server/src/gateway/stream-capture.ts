import type { ChatCompletionChunk, ChatToolCall, OpenAIUsage } from '@flywheel/spec';

/** What a streamed answer said, gathered for the trace while the bytes pass through. */
export interface StreamCapture {
  content: string;
  toolCalls: ChatToolCall[];
  finishReason: string | null;
  usage: OpenAIUsage | undefined;
  /** ms from the request's start to the first content event. */
  firstTokenMs: number | undefined;
  model: string | undefined;
}

export function newStreamCapture(): StreamCapture {
  return {
    content: '',
    toolCalls: [],
    finishReason: null,
    usage: undefined,
    firstTokenMs: undefined,
    model: undefined,
  };
}

/** Folds one chunk into the capture (first choice only; n>1 streams keep their first choice). */
export function captureChunk(capture: StreamCapture, chunk: ChatCompletionChunk, elapsedMs: number): void {
  if (chunk.usage) capture.usage = chunk.usage;
  capture.model ??= chunk.model;
  const choice = chunk.choices?.find((candidate) => candidate.index === 0) ?? chunk.choices?.[0];
  if (!choice) return;
  const delta = choice.delta ?? {};
  if (typeof delta.content === 'string' && delta.content !== '') {
    capture.firstTokenMs ??= elapsedMs;
    capture.content += delta.content;
  }
  for (const call of delta.tool_calls ?? []) {
    capture.firstTokenMs ??= elapsedMs;
    const index = call.index ?? 0;
    const existing = capture.toolCalls[index];
    if (!existing) {
      capture.toolCalls[index] = {
        ...(call.id === undefined ? {} : { id: call.id }),
        type: call.type ?? 'function',
        function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' },
      };
    } else if (existing.function) {
      // Providers send the name once, in the call's first delta; later deltas add arguments.
      if (!existing.function.name && call.function?.name) existing.function.name = call.function.name;
      existing.function.arguments = (existing.function.arguments ?? '') + (call.function?.arguments ?? '');
    }
  }
  if (choice.finish_reason) capture.finishReason = choice.finish_reason;
}

/** Whether a chunk is the usage-only chunk (`choices: []`) that `include_usage` adds at the end. */
export function isUsageOnlyChunk(chunk: ChatCompletionChunk | undefined): boolean {
  return (
    chunk !== undefined && Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage != null
  );
}
