import type { EvalModelResult } from '@flywheel/core';
import type { FetchLike } from '@flywheel/sdk';
import type { InProcessGateway } from '@flywheel/server/main';
import { type ChatCompletion, FlywheelError, isErrorCode } from '@flywheel/spec';
import { Pool } from 'undici';
import type { EvalCache } from './eval-cache.js';

/** Options of {@link createGatewayClient}. */
export interface GatewayClientOptions {
  /** The Flywheel server, e.g. `http://127.0.0.1:4000` (or the embedded one). */
  baseUrl: string;
  apiKey: string;
  /** Keep-alive connections (default 64). */
  connections?: number;
  /**
   * How long to wait for the answer's headers, and then between chunks of its body, in ms
   * (default 10 minutes: the gateway's own phase timeouts come first).
   */
  timeoutMs?: number;
  /** Answers identical calls from here, and stores new answers (absent: `--no-cache`). */
  cache?: EvalCache;
  /**
   * The embedded server's gateway, called without HTTP for chat (local runs): the same routing,
   * cost and traces, without a loopback round trip, Fastify and two HTTP parsers per case.
   */
  inProcess?: { gateway: InProcessGateway; projectId: string };
  /**
   * Sends the other calls (embeddings) through this `fetch` instead of the keep-alive pool: the
   * embedded server's in-process one (local runs), so a run opens no socket to itself. The pool's
   * timeouts do not apply there; the gateway's own phase timeouts do.
   */
  fetch?: FetchLike;
}

/** Model calls of an eval run, through a Flywheel gateway (so they are costed and traced). */
export interface GatewayClient {
  chat(request: {
    alias: string;
    body: Record<string, unknown>;
    signal?: AbortSignal;
  }): Promise<EvalModelResult>;
  embed(request: { alias: string; texts: string[]; signal?: AbortSignal }): Promise<number[][]>;
  /** The model aliases the key may use (`GET /v1/models`). */
  models(): Promise<string[]>;
  close(): Promise<void>;
}

interface ChatCompletionBody {
  choices?: Array<{ message?: { content?: unknown; tool_calls?: unknown } }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/** What the runner keeps of a completion. */
function modelResult(
  completion: ChatCompletionBody | ChatCompletion,
  facts: { cost: number | null; latencyMs: number; traceId: string | null },
): EvalModelResult {
  const message = (completion as ChatCompletionBody).choices?.[0]?.message;
  const output =
    typeof message?.content === 'string'
      ? message.content
      : message?.tool_calls !== undefined
        ? JSON.stringify(message.tool_calls)
        : '';
  return {
    output,
    inputTokens: completion.usage?.prompt_tokens ?? null,
    outputTokens: completion.usage?.completion_tokens ?? null,
    cost: facts.cost,
    latencyMs: facts.latencyMs,
    traceId: facts.traceId,
    cached: false,
  };
}

/**
 * A client of the gateway's `/v1/*` over an undici keep-alive pool (fetch costs several times
 * the CPU per call, and the runner's overhead per case is part of what a suite waits for).
 *
 * @example
 * const gateway = createGatewayClient({ baseUrl, apiKey, cache: createEvalCache(dir) });
 * const result = await gateway.chat({ alias: 'chat-default', body: { messages } });
 */
export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const base = new URL(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 600_000;
  // The pool's own timers, not an AbortSignal.timeout combined with the caller's signal per call:
  // those two signals and their listeners were a measurable part of the runner's CPU per case.
  const pool = new Pool(base.origin, {
    connections: options.connections ?? 64,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const prefix = base.pathname.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' };

  /** One call's status, a header getter and its body to read; through the pool, or the given fetch. */
  async function exchange(
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; header(name: string): string | undefined; text(): Promise<string> }> {
    const given = options.fetch;
    if (given) {
      const response = await given(`${base.origin}${prefix}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(signal ? { signal } : {}),
      });
      return {
        status: response.status,
        header: (name) => response.headers.get(name) ?? undefined,
        text: () => response.text(),
      };
    }
    const response = await pool.request({
      method,
      path: `${prefix}${path}`,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(signal ? { signal } : {}),
    });
    return {
      status: response.statusCode,
      header: (name) => {
        const value = response.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      text: () => response.body.text(),
    };
  }

  async function post(path: string, body: unknown, signal: AbortSignal | undefined) {
    let response: Awaited<ReturnType<typeof exchange>>;
    try {
      response = await exchange('POST', path, JSON.stringify(body), signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new FlywheelError(
        isTimeout(error) ? 'upstream_timeout' : 'server_unreachable',
        `Cannot reach the Flywheel gateway at ${base.origin}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new FlywheelError(
        isTimeout(error) ? 'upstream_timeout' : 'server_unreachable',
        `The Flywheel gateway at ${base.origin} stopped sending its answer: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.status >= 400) {
      const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const code = typeof error?.code === 'string' && isErrorCode(error.code) ? error.code : 'upstream_error';
      throw new FlywheelError(
        code,
        typeof error?.message === 'string' ? error.message : `The gateway answered ${response.status}.`,
        { status: response.status },
      );
    }
    return { json, header: response.header };
  }

  return {
    async chat({ alias, body, signal }) {
      const request = { ...body, model: alias, stream: false };
      const key = options.cache?.key(alias, request);
      if (key !== undefined) {
        const hit = await options.cache!.get(key);
        if (hit) return { ...hit, latencyMs: undefined, cached: true };
      }
      const started = performance.now();
      let result: EvalModelResult;
      if (options.inProcess) {
        const answer = await options.inProcess.gateway.chat({
          projectId: options.inProcess.projectId,
          body: request,
          ...(signal ? { signal } : {}),
        });
        result = modelResult(answer.completion, {
          cost: answer.costUsd,
          latencyMs: performance.now() - started,
          traceId: answer.traceId,
        });
      } else {
        const { json, header } = await post('/v1/chat/completions', request, signal);
        const latencyMs = performance.now() - started;
        const costHeader = header('x-flywheel-cost-usd');
        const cost = typeof costHeader === 'string' && costHeader !== '' ? Number(costHeader) : null;
        const givenTrace = header('x-flywheel-trace-id');
        result = modelResult(json as ChatCompletionBody, {
          cost: Number.isFinite(cost) ? cost : null,
          latencyMs,
          traceId: typeof givenTrace === 'string' ? givenTrace : null,
        });
      }
      if (key !== undefined) {
        await options.cache!.set(key, {
          output: result.output,
          inputTokens: result.inputTokens,
          outputTokens: result.outputTokens,
          cost: result.cost,
          traceId: result.traceId,
        });
      }
      return result;
    },
    async embed({ alias, texts, signal }) {
      const { json } = await post('/v1/embeddings', { model: alias, input: texts }, signal);
      const data = (json as { data?: Array<{ index?: number; embedding?: unknown }> }).data ?? [];
      return [...data]
        .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
        .map((item) => (Array.isArray(item.embedding) ? (item.embedding as number[]) : []));
    },
    async models() {
      if (options.inProcess) return options.inProcess.gateway.models();
      const response = await exchange('GET', '/v1/models', undefined, undefined).catch((error: unknown) => {
        throw new FlywheelError(
          'server_unreachable',
          `Cannot reach the Flywheel gateway at ${base.origin}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      let body: { data?: Array<{ id?: unknown }>; error?: { code?: unknown; message?: unknown } } | undefined;
      try {
        body = JSON.parse(await response.text());
      } catch {
        body = undefined;
      }
      if (response.status >= 400) {
        const code =
          typeof body?.error?.code === 'string' && isErrorCode(body.error.code)
            ? body.error.code
            : 'upstream_error';
        throw new FlywheelError(
          code,
          String(body?.error?.message ?? `The gateway answered ${response.status}.`),
        );
      }
      return (body?.data ?? []).map((model) => String(model.id));
    },
    close: () => pool.close(),
  };
}

/** undici's headers and body timeouts. */
function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}
