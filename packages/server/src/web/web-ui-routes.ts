import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readWebUiFiles, type WebUiFile } from './web-ui-files.js';

/**
 * What the UI may load: its own scripts, styles, images and API, nothing inline and nothing
 * from elsewhere. React sets styles through the CSSOM, which `style-src 'self'` allows.
 */
export const webUiContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const notBuiltText =
  'The Flywheel web UI is not built. Run `npm run build` (or `npm start`, which builds first) and ' +
  'restart the server. The REST API answers at /api, the OpenAI-compatible gateway at /v1.\n';

/** Paths that belong to the API, the gateway, OTLP and health: never answered with the UI. */
const reservedPrefixes = ['/api/', '/v1/', '/otlp/'];
const reservedPaths = new Set(['/api', '/v1', '/otlp', '/health']);

/** Answers a request for a page of the single-page app with `index.html`. */
export type WebUiFallback = (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;

/**
 * Serves the built UI from `webDir`: each file at its path, `/` with `index.html`, and returns the
 * fallback the not-found handler uses so that a page's URL (`/traces/tr_1`) loaded directly also
 * gets `index.html`. Without a build, `/` (and those page URLs) answer a short text saying how to
 * build it.
 */
export function registerWebUiRoutes(app: FastifyInstance, webDir: string): WebUiFallback {
  const built = readWebUiFiles(webDir);
  if (!built) {
    const sendNotBuilt = (reply: FastifyReply) =>
      securityHeaders(reply)
        .status(404)
        .header('content-type', 'text/plain; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(notBuiltText);
    app.get('/', (_request, reply) => sendNotBuilt(reply));
    return (request, reply) => (isPageRequest(request) ? sendNotBuilt(reply) : undefined);
  }
  app.get('/', (request, reply) => sendFile(request, reply, built.index));
  for (const file of built.files.values()) {
    // Vite names files with letters, digits, `-`, `_` and `.`; anything else would be a route pattern.
    if (!/^[A-Za-z0-9._/-]+$/.test(file.urlPath)) continue;
    app.get(file.urlPath, (request, reply) => sendFile(request, reply, file));
  }
  return (request, reply) => (isPageRequest(request) ? sendFile(request, reply, built.index) : undefined);
}

/** A browser navigating to a page: GET or HEAD, wants HTML, and not an API, gateway or health path. */
function isPageRequest(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const accept = request.headers.accept;
  if (typeof accept !== 'string' || !accept.includes('text/html')) return false;
  // Lower-cased, so no spelling of an API path gets the page instead of the API's 404.
  const path = (request.url.split('?')[0] ?? '').toLowerCase();
  return !reservedPaths.has(path) && !reservedPrefixes.some((prefix) => path.startsWith(prefix));
}

function sendFile(request: FastifyRequest, reply: FastifyReply, file: WebUiFile): FastifyReply {
  securityHeaders(reply)
    .header('content-type', file.contentType)
    .header('cache-control', file.cacheControl)
    .header('etag', file.etag)
    .header('vary', 'accept-encoding');
  if (matchesEtag(request.headers['if-none-match'], file.etag)) return reply.status(304).send();
  const gzipped = acceptsGzip(request.headers['accept-encoding']) ? file.gzipped() : undefined;
  if (gzipped) {
    return reply.header('content-encoding', 'gzip').send(gzipped);
  }
  return reply.send(file.body);
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', webUiContentSecurityPolicy)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}

function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((part) => {
    const [coding, ...parameters] = part.trim().split(';');
    if (coding?.trim().toLowerCase() !== 'gzip') return false;
    const quality = parameters.map((parameter) => /^\s*q=([\d.]+)\s*$/.exec(parameter)?.[1]).find(Boolean);
    return quality === undefined || Number(quality) > 0;
  });
}
