import type { FastifyInstance } from 'fastify';
import type { TracingDeps } from './tracing-deps.js';

export function registerOtlpRoutes(_app: FastifyInstance, _deps: TracingDeps, _bodyLimit: number) {}
