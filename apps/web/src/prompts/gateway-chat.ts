import { FlywheelError } from '@flywheel/sdk';
import { type ChatCompletion, type ChatCompletionRequest, isErrorCode } from '@flywheel/spec';

/** Where and as whom the playground calls the gateway: the session's key and project. */
export interface GatewayTarget {
  /** The server's origin (the UI is served by it). */
  baseUrl: string;
  apiKey: string;
  /** The project an instance-admin key switched to (`x-flywheel-project`); undefined: the key's own. */
  projectId: string | undefined;
  fetch: typeof globalThis.fetch;
  /** A clock in ms for the latency (default `performance.now`). */
  now?: () => number;
}

/** A stored prompt version to run, with the values of its variables. */
export interface PromptRun {
  name: string;
  version: number;
  variables: Record<string, unknown>;
  /** A model alias to use instead of the prompt's own; undefined: the prompt's config decides. */
  model: string | undefined;
}

/** What the gateway answered to a run, with what it cost and how long it took. */
export interface PromptRunResult {
  completion: ChatCompletion;
  /** `x-flywheel-cost-usd`; null when the model has no price. */
  costUsd: number | null;
  /** From sending the request to having the whole answer, in ms. */
  latencyMs: number;
  /** `x-flywheel-trace-id`: the trace the gateway recorded for the call. */
  traceId: string | null;
}

/**
 * Runs a stored prompt version through the gateway (`POST /v1/chat/completions` with `prompt`),
 * so the server renders it and traces the call like any application's. Refusals become a
 * `FlywheelError` carrying the gateway's message and code (it answers in OpenAI's error shape).
 *
 * @example
 * const result = await runPromptThroughGateway(target, { name: 'support/triage', version: 2, variables: { ticket: 'Hi' }, model: undefined });
 * result.completion.choices[0]?.message.content;
 */
export async function runPromptThroughGateway(
  target: GatewayTarget,
  run: PromptRun,
): Promise<PromptRunResult> {
  const now = target.now ?? (() => performance.now());
  // `model` and `messages` may be left out next to `prompt`: the prompt's config and template supply them.
  const body: Partial<ChatCompletionRequest> = {
    ...(run.model ? { model: run.model } : {}),
    prompt: { name: run.name, version: run.version, variables: run.variables },
  };
  const headers: Record<string, string> = {
    authorization: `Bearer ${target.apiKey}`,
    'content-type': 'application/json',
  };
  if (target.projectId !== undefined) headers['x-flywheel-project'] = target.projectId;
  const started = now();
  let response: Response;
  let text: string;
  try {
    response = await target.fetch(`${target.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    text = await response.text();
  } catch (error) {
    throw new FlywheelError(
      'server_unreachable',
      `Could not reach the gateway: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const latencyMs = now() - started;
  const json = parseJson(text);
  if (!response.ok) throw gatewayError(response, json, text);
  if (!isCompletion(json)) {
    throw new FlywheelError(
      'internal_error',
      'The gateway answered something that is not a chat completion.',
    );
  }
  const cost = response.headers.get('x-flywheel-cost-usd');
  const costUsd = cost === null || cost === '' || !Number.isFinite(Number(cost)) ? null : Number(cost);
  return { completion: json, costUsd, latencyMs, traceId: response.headers.get('x-flywheel-trace-id') };
}

/** The text of the first choice, or undefined when the model answered otherwise (tool calls, parts). */
export function completionText(completion: ChatCompletion): string | undefined {
  const content = completion.choices[0]?.message.content;
  return typeof content === 'string' ? content : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isCompletion(value: unknown): value is ChatCompletion {
  return (
    typeof value === 'object' && value !== null && Array.isArray((value as { choices?: unknown }).choices)
  );
}

/** The gateway's OpenAI-shaped refusal as a FlywheelError with its message and code. */
function gatewayError(response: Response, json: unknown, text: string): FlywheelError {
  const error = (json as { error?: { message?: unknown; code?: unknown } } | undefined)?.error;
  const message = typeof error?.message === 'string' ? error.message : undefined;
  const code = typeof error?.code === 'string' ? error.code : undefined;
  if (message !== undefined) {
    return new FlywheelError(code !== undefined && isErrorCode(code) ? code : 'internal_error', message, {
      status: response.status,
      details: code !== undefined && !isErrorCode(code) ? { code } : undefined,
    });
  }
  return new FlywheelError(
    response.status >= 500 ? 'server_unreachable' : 'internal_error',
    `The gateway answered ${response.status} ${response.statusText}: ${text.slice(0, 200)}`,
    { status: response.status },
  );
}
