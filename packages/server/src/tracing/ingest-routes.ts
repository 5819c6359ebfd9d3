import { eventsToBatch, type IngestItemResult } from '@flywheel/core';
import {
  FlywheelError,
  type IngestResponseBody,
  ingestRequestSchema,
  maxIngestBatchItems,
} from '@flywheel/spec';
import type { FastifyInstance } from 'fastify';
import { requireScope } from '../app/authenticate.js';
import { parseInput } from '../app/validation.js';
import type { TracingDeps } from './tracing-deps.js';

/**
 * `POST /api/ingest`: a batch of trace, span and score events. Each item is checked on its own;
 * the valid ones are committed in one transaction before the answer (200 when all were stored,
 * 207 with per-item errors when some were refused, 400 when none was valid).
 */
export function registerIngestRoutes(app: FastifyInstance, deps: TracingDeps, bodyLimit: number) {
  app.post('/api/ingest', { bodyLimit }, async (request, reply) => {
    requireScope(request.auth, 'ingest');
    const { batch: items } = parseInput(ingestRequestSchema, request.body, 'body');
    if (items.length > maxIngestBatchItems) {
      throw new FlywheelError(
        'payload_too_large',
        `The batch has ${items.length} items; send at most ${maxIngestBatchItems} per request.`,
      );
    }
    const { batch, results } = eventsToBatch(items, {
      projectId: request.auth.projectId,
      receivedAt: new Date().toISOString(),
      maxPayloadBytes: deps.maxPayloadBytes,
      prices: deps.prices,
    });
    const accepted = results.filter((result) => result.ok);
    const body = toIngestResponse(results);
    if (accepted.length === 0 && results.length > 0) {
      throw new FlywheelError(
        'validation_failed',
        `No item of the batch is valid: ${body.errors[0]?.message}`,
        {
          details: body.errors,
        },
      );
    }
    if (accepted.length > 0) await deps.queue.submit(batch, accepted.length);
    return reply.status(body.errors.length > 0 ? 207 : 200).send(body);
  });
}

function toIngestResponse(results: IngestItemResult[]): IngestResponseBody {
  const body: IngestResponseBody = { successes: [], errors: [] };
  for (const result of results) {
    if (result.ok) body.successes.push({ id: result.id, status: 201 });
    else
      body.errors.push({
        id: result.id,
        status: result.status,
        code: result.code,
        message: `batch[${result.index}]: ${result.message}`,
      });
  }
  return body;
}
