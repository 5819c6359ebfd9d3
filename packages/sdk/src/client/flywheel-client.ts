import {
  type ApiKeyBody,
  apiKeySchema,
  type CreateApiKeyRequest,
  type CreatedApiKeyBody,
  createdApiKeySchema,
  type FetchAnswer,
  type FetchLike,
  FlywheelError,
  type HealthBody,
  healthSchema,
  labelMoveSchema,
  listSchema,
  type ProjectBody,
  projectSchema,
  promptDiffSchema,
  promptSettingsSchema,
  promptSummarySchema,
  promptVersionSchema,
} from '@flywheel/spec';
import { z } from 'zod';
import { createDatasetApi, type DatasetApi } from '../datasets/dataset-api.js';
import { createExperimentApi, type ExperimentApi } from '../experiments/experiment-api.js';
import type { GetPromptOptions, Prompt } from '../prompts/prompt.js';
import { moveLabelResultSchema, type PromptApi, promptPath } from '../prompts/prompt-api.js';
import { createPromptCache, type PromptCacheInfo, type PromptRef } from '../prompts/prompt-cache.js';
import { createScoreApi, type ScoreApi } from '../scores/score-api.js';
import { createMetricsApi, createTraceApi, type MetricsApi, type TraceApi } from '../traces/trace-api.js';
import { describeError, parseJson, responseError } from './http-error.js';

/** Options of {@link createFlywheelClient}. */
export interface FlywheelClientOptions {
  /** Where the server listens, e.g. `http://127.0.0.1:4000`. */
  baseUrl: string;
  /** A project API key, `fw_sk_…`. */
  apiKey: string;
  /**
   * Another project to act in (sent as `x-flywheel-project`); only instance-admin keys may name
   * one. Default: the key's own project.
   */
  projectId?: string;
  /** The fetch to use (default: the global one); anything that answers as {@link FetchAnswer} does. */
  fetch?: FetchLike;
  /** Per-request timeout in ms (default 30,000). */
  timeoutMs?: number;
  /**
   * Timeout in ms of the requests `getPrompt` makes (default 3,000): short, so that a hung
   * server gives way to the cached prompt or the fallback promptly.
   */
  promptTimeoutMs?: number;
  /** The clock `getPrompt`'s cache ages prompts by, in ms (default `Date.now`); for tests. */
  now?: () => number;
}

/** A typed client of the Flywheel REST API. */
export interface FlywheelClient {
  /** `GET /health` (no key needed). */
  health(): Promise<HealthBody>;
  projects: {
    /** The project of the client's key. */
    current(): Promise<ProjectBody>;
    /** Every project (instance-admin keys). */
    list(): Promise<ProjectBody[]>;
    /** Creates a project (instance-admin keys). */
    create(input: { name: string }): Promise<ProjectBody>;
  };
  keys: {
    /** Creates a key; the answer's `key` is the only copy of the secret. */
    create(input: CreateApiKeyRequest): Promise<CreatedApiKeyBody>;
    /** The keys of the key's project, or of `projectId` (instance admins). */
    list(options?: { projectId?: string }): Promise<ApiKeyBody[]>;
    /** Revokes a key. */
    revoke(keyId: string, options?: { projectId?: string }): Promise<ApiKeyBody>;
  };
  /** The prompt registry, one request per call (managing prompts; for serving, see `getPrompt`). */
  prompts: PromptApi;
  /** Datasets for evaluation: items, versions, import from traces, JSONL export. */
  datasets: DatasetApi;
  /** Evaluation runs, their results and comparisons. */
  experiments: ExperimentApi;
  /** Stored traces: filtered pages of summaries, one trace with its spans and scores. */
  traces: TraceApi;
  /** Scores on traces and spans: feedback, labels, evaluation results. */
  scores: ScoreApi;
  /** Requests, errors, tokens, cost and latency of generations over a time range (`GET /api/metrics`). */
  metrics: MetricsApi;
  /**
   * A prompt to serve, cached in this client (stale-while-revalidate): a fresh prompt is served
   * without a request; a stale one (older than `cacheTtlSeconds`, default 60) is served at once
   * while one background request revalidates it with its ETag. If the server is down the last
   * good version keeps being served. With nothing cached the prompt is fetched now, and when the
   * server is unavailable or has no such prompt, `fallback` is served (`isFallback: true`);
   * without a fallback the `FlywheelError` is thrown (`server_unreachable`, `prompt_not_found`, …).
   *
   * Narrow on `type` to type `compile`: a text prompt compiles to a string, a chat prompt to messages.
   *
   * @example
   * const prompt = await flywheel.getPrompt('support/triage', {
   *   fallback: [{ role: 'user', content: 'Triage this ticket: {{ticket}}' }],
   * });
   * if (prompt.type === 'chat') {
   *   await openai.chat.completions.create({ model: 'chat-default', messages: prompt.compile({ ticket }) });
   * }
   */
  getPrompt(name: string, options?: GetPromptOptions): Promise<Prompt>;
  /** The prompts `getPrompt` holds in this client. */
  promptCache: {
    /** What is held: name, label (or null when pinned to a version), version and age. */
    list(): PromptCacheInfo[];
    /** Forgets every held prompt; the next `getPrompt` of each fetches again. */
    clear(): void;
  };
}

/** A request of the client; `headers` are added to the key's. */
interface ApiRequest {
  method: string;
  path: string;
  body?: unknown;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** An answer: parsed data, or 304 (nothing changed since the ETag sent). */
type ApiAnswer<T> =
  | { notModified: true; headers: FetchAnswer['headers'] }
  | { notModified: false; headers: FetchAnswer['headers']; data: T };

/**
 * A client of the Flywheel REST API. Every non-2xx answer becomes a `FlywheelError` with the
 * server's stable code; a server that cannot be reached is `server_unreachable`.
 *
 * @example
 * const flywheel = createFlywheelClient({ baseUrl: 'http://127.0.0.1:4000', apiKey: process.env.FLYWHEEL_API_KEY! });
 * const project = await flywheel.projects.current();
 */
export function createFlywheelClient(options: FlywheelClientOptions): FlywheelClient {
  const fetchImpl: FetchLike = options.fetch ?? globalThis.fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const promptTimeoutMs = options.promptTimeoutMs ?? 3_000;
  const projectHeader: Record<string, string> =
    options.projectId === undefined ? {} : { 'x-flywheel-project': options.projectId };

  /**
   * Sends one request. A 204 parses as `undefined`; a 304 is returned as not modified; any other
   * non-2xx answer throws its `FlywheelError`, and a network failure or timeout `server_unreachable`.
   */
  async function send<T extends z.ZodType>(schema: T, request: ApiRequest): Promise<ApiAnswer<z.output<T>>> {
    const { method, path, body } = request;
    const search = new URLSearchParams(
      Object.entries(request.query ?? {}).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    ).toString();
    const requestTimeoutMs = request.timeoutMs ?? timeoutMs;
    let response: FetchAnswer;
    let text: string;
    try {
      response = await fetchImpl(`${baseUrl}${path}${search ? `?${search}` : ''}`, {
        method,
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          ...projectHeader,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      // Inside the try: the timeout also covers a body that stops arriving.
      text = await response.text();
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${requestTimeoutMs} ms`
          : describeError(error);
      throw new FlywheelError(
        'server_unreachable',
        `Cannot reach the Flywheel server at ${baseUrl}: ${reason}`,
        {
          cause: error,
        },
      );
    }
    if (response.status === 304) return { notModified: true, headers: response.headers };
    const json = parseJson(text);
    if (!response.ok) throw responseError(response, json, text);
    const parsed = schema.safeParse(response.status === 204 ? undefined : json);
    if (!parsed.success) {
      throw new FlywheelError(
        'internal_error',
        `The server's answer to ${method} ${path} has an unexpected shape.`,
        {
          details: parsed.error.issues,
        },
      );
    }
    return { notModified: false, headers: response.headers, data: parsed.data };
  }

  async function call<T extends z.ZodType>(
    schema: T,
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | undefined>,
  ): Promise<z.output<T>> {
    const answer = await send(schema, { method, path, body, query });
    if (answer.notModified) {
      throw new FlywheelError(
        'internal_error',
        `The server answered 304 to an unconditional ${method} ${path}.`,
      );
    }
    return answer.data;
  }

  /** Opens a streamed answer: headers are checked here, the body is the caller's to read. */
  async function stream(path: string, query: Record<string, string | undefined>): Promise<FetchAnswer> {
    const search = new URLSearchParams(
      Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ).toString();
    // The timeout covers the wait for the headers only: the body may take as long as it takes,
    // and its reader watches for stalls.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: FetchAnswer;
    try {
      response = await fetchImpl(`${baseUrl}${path}${search ? `?${search}` : ''}`, {
        method: 'GET',
        headers: { authorization: `Bearer ${options.apiKey}`, ...projectHeader },
        signal: controller.signal,
      });
    } catch (error) {
      const reason = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : describeError(error);
      throw new FlywheelError(
        'server_unreachable',
        `Cannot reach the Flywheel server at ${baseUrl}: ${reason}`,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw responseError(response, parseJson(text), text);
    }
    return response;
  }

  const promptCache = createPromptCache({
    now: options.now ?? Date.now,
    async fetchPrompt(name: string, ref: PromptRef, etag: string | undefined) {
      const answer = await send(promptVersionSchema, {
        method: 'GET',
        path: promptPath(name),
        query: 'version' in ref ? { version: String(ref.version) } : { label: ref.label },
        headers: etag === undefined ? {} : { 'if-none-match': etag },
        timeoutMs: promptTimeoutMs,
      });
      if (answer.notModified) return { notModified: true };
      return { notModified: false, body: answer.data, etag: answer.headers.get('etag') ?? undefined };
    },
  });

  const projectList = listSchema(projectSchema);
  const keyList = listSchema(apiKeySchema);
  const promptVersionList = listSchema(promptVersionSchema);
  // 204 today; whatever a later server sends there, removing a label answers nothing.
  const noBody = z.unknown().transform((): void => undefined);
  return {
    health: () => call(healthSchema, 'GET', '/health'),
    projects: {
      current: () => call(projectSchema, 'GET', '/api/projects/current'),
      list: async () => (await call(projectList, 'GET', '/api/projects')).data,
      create: (input) => call(projectSchema, 'POST', '/api/projects', input),
    },
    keys: {
      create: (input) => call(createdApiKeySchema, 'POST', '/api/keys', input),
      list: async (listOptions = {}) =>
        (await call(keyList, 'GET', '/api/keys', undefined, { project_id: listOptions.projectId })).data,
      revoke: (keyId, revokeOptions = {}) =>
        call(apiKeySchema, 'DELETE', `/api/keys/${encodeURIComponent(keyId)}`, undefined, {
          project_id: revokeOptions.projectId,
        }),
    },
    prompts: {
      create: (input) => call(promptVersionSchema, 'POST', '/api/prompts', input),
      list: async (listOptions = {}) =>
        (
          await call(listSchema(promptSummarySchema), 'GET', '/api/prompts', undefined, {
            folder: listOptions.folder,
          })
        ).data,
      get: (name, getOptions = {}) =>
        call(promptVersionSchema, 'GET', promptPath(name), undefined, {
          label: getOptions.label,
          version: getOptions.version === undefined ? undefined : String(getOptions.version),
        }),
      versions: async (name) => (await call(promptVersionList, 'GET', promptPath(name, 'versions'))).data,
      diff: (name, from, to) =>
        call(promptDiffSchema, 'GET', promptPath(name, 'diff'), undefined, { from, to }),
      moveLabel: (name, label, version) =>
        call(moveLabelResultSchema, 'PUT', promptPath(name, 'labels', label), { version }),
      removeLabel: (name, label) => call(noBody, 'DELETE', promptPath(name, 'labels', label)),
      audit: async (name) => (await call(listSchema(labelMoveSchema), 'GET', promptPath(name, 'audit'))).data,
      settings: () => call(promptSettingsSchema, 'GET', '/api/prompt-settings'),
      setSettings: (input) => call(promptSettingsSchema, 'PUT', '/api/prompt-settings', input),
    },
    datasets: createDatasetApi({ call, stream, idleTimeoutMs: timeoutMs }),
    experiments: createExperimentApi({ call }),
    traces: createTraceApi({ call }),
    scores: createScoreApi({ call }),
    metrics: createMetricsApi({ call }),
    getPrompt: (name, getOptions) => promptCache.get(name, getOptions),
    promptCache: { list: () => promptCache.list(), clear: () => promptCache.clear() },
  };
}
