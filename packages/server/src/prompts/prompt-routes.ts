import { createHash } from 'node:crypto';
import type { PromptCaller, PromptService } from '@flywheel/core';
import {
  createPromptVersionRequestSchema,
  FlywheelError,
  getPromptQuerySchema,
  moveLabelRequestSchema,
  promptDiffQuerySchema,
  promptLabelSchema,
  promptListQuerySchema,
  promptNameSchema,
  promptSettingsSchema,
} from '@flywheel/spec';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthContext } from '../app/authenticate.js';
import { requireScope } from '../app/authenticate.js';
import { parseInput } from '../app/validation.js';
import {
  toLabelMoveBody,
  toPromptDiffBody,
  toPromptSummaryBody,
  toPromptVersionBody,
} from './prompt-views.js';

/** What a path under `/api/prompts/` asks for; prompt names may hold `/`, so it is parsed here. */
type PromptPath =
  | { kind: 'prompt'; name: string }
  | { kind: 'diff' | 'versions' | 'audit'; name: string }
  | { kind: 'label'; name: string; label: string };

/**
 * The prompt registry's REST API:
 * `POST /api/prompts` save a version · `GET /api/prompts` list ·
 * `GET /api/prompts/<name>?label=|version=` fetch (with ETag) · `…/<name>/versions` ·
 * `…/<name>/diff?from=&to=` · `…/<name>/audit` label moves ·
 * `PUT|DELETE …/<name>/labels/<label>` move or remove a label ·
 * `GET|PUT /api/prompt-settings` protected labels.
 */
export function registerPromptRoutes(app: FastifyInstance, prompts: PromptService) {
  app.post('/api/prompts', async (request, reply) => {
    requireScope(request.auth, 'write');
    const input = parseInput(createPromptVersionRequestSchema, request.body, 'body');
    const version = await prompts.save(request.auth.projectId, input, caller(request.auth));
    return reply.status(201).send(toPromptVersionBody(version));
  });

  app.get('/api/prompts', async (request) => {
    requireScope(request.auth, 'read');
    const query = parseInput(promptListQuerySchema, request.query, 'query');
    const list = await prompts.list(request.auth.projectId, {
      limit: query.limit,
      ...(query.folder !== undefined ? { folder: query.folder } : {}),
    });
    return { data: list.map(toPromptSummaryBody) };
  });

  app.get('/api/prompts/*', async (request, reply) => {
    requireScope(request.auth, 'read');
    const path = parsePromptPath(request);
    const { projectId } = request.auth;
    switch (path.kind) {
      case 'prompt': {
        const query = parseInput(getPromptQuerySchema, request.query, 'query');
        const ref =
          query.version !== undefined ? { version: query.version } : { label: query.label ?? 'production' };
        const body = toPromptVersionBody(await prompts.get(projectId, path.name, ref));
        const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
        // Clients may keep the answer but must ask again (cheaply, with If-None-Match) before reuse:
        // a label can move at any time.
        void reply.header('etag', etag).header('cache-control', 'no-cache');
        if (matchesEtag(request.headers['if-none-match'], etag)) return reply.status(304).send();
        return body;
      }
      case 'versions':
        return { data: (await prompts.versions(projectId, path.name)).map(toPromptVersionBody) };
      case 'audit':
        return { data: (await prompts.labelMoves(projectId, path.name)).map(toLabelMoveBody) };
      case 'diff': {
        const query = parseInput(promptDiffQuerySchema, request.query, 'query');
        return toPromptDiffBody(path.name, await prompts.diff(projectId, path.name, query.from, query.to));
      }
      case 'label':
        throw notFound(request);
    }
  });

  app.put('/api/prompts/*', async (request) => {
    requireScope(request.auth, 'write');
    const path = parsePromptPath(request);
    if (path.kind !== 'label') throw notFound(request);
    const { version } = parseInput(moveLabelRequestSchema, request.body, 'body');
    const move = await prompts.moveLabel(
      request.auth.projectId,
      path.name,
      path.label,
      version,
      caller(request.auth),
    );
    return {
      moved: move !== null,
      label: path.label,
      version,
      ...(move ? { move: toLabelMoveBody(move) } : {}),
    };
  });

  app.delete('/api/prompts/*', async (request, reply) => {
    requireScope(request.auth, 'write');
    const path = parsePromptPath(request);
    if (path.kind !== 'label') throw notFound(request);
    await prompts.moveLabel(request.auth.projectId, path.name, path.label, null, caller(request.auth));
    return reply.status(204).send();
  });

  app.get('/api/prompt-settings', async (request) => {
    requireScope(request.auth, 'read');
    return { protected_labels: await prompts.protectedLabels(request.auth.projectId) };
  });

  app.put('/api/prompt-settings', async (request) => {
    requireScope(request.auth, 'admin');
    const input = parseInput(promptSettingsSchema, request.body, 'body');
    await prompts.setProtectedLabels(request.auth.projectId, input.protected_labels);
    return { protected_labels: await prompts.protectedLabels(request.auth.projectId) };
  });
}

function caller(auth: AuthContext): PromptCaller {
  return { keyId: auth.key.id, keyName: auth.key.name, isAdmin: auth.key.scopes.includes('admin') };
}

function parsePromptPath(request: FastifyRequest): PromptPath {
  const raw = (request.params as { '*'?: string })['*'] ?? '';
  const segments = raw.split('/');
  const last = segments.at(-1) ?? '';
  let path: PromptPath;
  if (segments.length >= 3 && segments.at(-2) === 'labels') {
    const label = last;
    if (!promptLabelSchema.safeParse(label).success) {
      throw new FlywheelError(
        'validation_failed',
        `Invalid request params: label: '${label}' must be 1–50 lower-case letters, digits or _ . - (e.g. production).`,
      );
    }
    path = { kind: 'label', name: segments.slice(0, -2).join('/'), label };
  } else if (segments.length >= 2 && (last === 'diff' || last === 'versions' || last === 'audit')) {
    path = { kind: last, name: segments.slice(0, -1).join('/') };
  } else {
    path = { kind: 'prompt', name: raw };
  }
  const name = promptNameSchema.safeParse(path.name);
  if (!name.success) {
    throw new FlywheelError(
      'validation_failed',
      `Invalid request params: name: '${path.name}' ${name.error.issues[0]?.message ?? 'is not a prompt name'}.`,
    );
  }
  return path;
}

function matchesEtag(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const values = (Array.isArray(header) ? header.join(',') : header).split(',').map((value) => value.trim());
  return values.some((value) => value === '*' || value === etag || value === `W/${etag}`);
}

function notFound(request: FastifyRequest): FlywheelError {
  return new FlywheelError('route_not_found', `No endpoint ${request.method} ${request.url.split('?')[0]}.`);
}
