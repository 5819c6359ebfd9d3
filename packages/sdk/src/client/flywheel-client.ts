import {
  type ApiKeyBody,
  apiKeySchema,
  type CreateApiKeyRequest,
  type CreatedApiKeyBody,
  createdApiKeySchema,
  FlywheelError,
  type HealthBody,
  healthSchema,
  listSchema,
  type ProjectBody,
  projectSchema,
} from '@flywheel/spec';
import type { z } from 'zod';
import { describeError, parseJson, responseError } from './http-error.js';

/** Options of {@link createFlywheelClient}. */
export interface FlywheelClientOptions {
  /** Where the server listens, e.g. `http://127.0.0.1:4000`. */
  baseUrl: string;
  /** A project API key, `fw_sk_…`. */
  apiKey: string;
  /** The fetch to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /** Per-request timeout in ms (default 30,000). */
  timeoutMs?: number;
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
}

/**
 * A client of the Flywheel REST API. Every non-2xx answer becomes a `FlywheelError` with the
 * server's stable code; a server that cannot be reached is `server_unreachable`.
 *
 * @example
 * const flywheel = createFlywheelClient({ baseUrl: 'http://127.0.0.1:4000', apiKey: process.env.FLYWHEEL_API_KEY! });
 * const project = await flywheel.projects.current();
 */
export function createFlywheelClient(options: FlywheelClientOptions): FlywheelClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function call<T extends z.ZodType>(
    schema: T,
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | undefined>,
  ): Promise<z.output<T>> {
    const search = new URLSearchParams(
      Object.entries(query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ).toString();
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}${search ? `?${search}` : ''}`, {
        method,
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new FlywheelError(
        'server_unreachable',
        `Cannot reach the Flywheel server at ${baseUrl}: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
    const text = await response.text();
    const json = parseJson(text);
    if (!response.ok) throw responseError(response, json, text);
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new FlywheelError(
        'internal_error',
        `The server's answer to ${method} ${path} has an unexpected shape.`,
        {
          details: parsed.error.issues,
        },
      );
    }
    return parsed.data;
  }

  const projectList = listSchema(projectSchema);
  const keyList = listSchema(apiKeySchema);
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
  };
}
