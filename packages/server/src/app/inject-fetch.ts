import { STATUS_CODES } from 'node:http';
import type { FetchLike } from '@flywheel/spec';
import type { FastifyInstance } from 'fastify';

/** Statuses whose answers have no body. */
const bodylessStatuses = new Set([101, 204, 205, 304]);

/**
 * A `fetch`-like call answered by the app in this process (Fastify's `inject`): the same routes,
 * auth and errors as over HTTP, without a socket or an HTTP parser on either side. For the local
 * eval runner's API calls (creating and finishing its experiment, reading prompts and datasets,
 * embeddings). Over a loopback socket, Node's global `fetch` compiled its own copy of llhttp to
 * WebAssembly and, a few answers later, V8 compiled that again with its optimizing tier on a
 * helper thread (~75 ms of CPU in a one-case run). The answer is a plain object, not a
 * `Response`: the first `Headers` or `Response` loads Node's `fetch` machinery, ~50 ms of CPU
 * (decision 0017, amended). Only the URL's path and query are used; the answer is whole before
 * it is returned (these answers are small, and a dataset export is read to its end anyway).
 */
export function createInjectFetch(app: FastifyInstance): FetchLike {
  return async (href, init = {}) => {
    const url = new URL(href, 'http://flywheel.local');
    const { signal } = init;
    signal?.throwIfAborted();
    if (init.body !== undefined && typeof init.body !== 'string') {
      throw new TypeError('The in-process fetch sends string bodies only.');
    }
    const answering = app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: `${url.pathname}${url.search}`,
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body === undefined ? {} : { payload: init.body }),
      // Ends the simulated request, as a client that goes away ends a socket.
      ...(signal ? { signal } : {}),
    });
    // A caller that aborts (Ctrl-C of an eval run) has its answer at once, not when the route ends.
    const answer = signal ? await untilAborted(answering, signal) : await answering;
    const status = answer.statusCode;
    const raw = answer.rawPayload;
    return {
      status,
      statusText: STATUS_CODES[status] ?? '',
      ok: status >= 200 && status < 300,
      headers: {
        get(name) {
          const value = answer.headers[name.toLowerCase()];
          if (value === undefined) return null;
          return Array.isArray(value) ? value.join(', ') : String(value);
        },
      },
      get body() {
        if (bodylessStatuses.has(status)) return null;
        return new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new Uint8Array(raw));
            controller.close();
          },
        });
      },
      text: async () => raw.toString('utf8'),
    };
  };
}

/** `pending`, or the signal's reason as soon as it aborts (what `pending` answers later is dropped). */
function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const aborted = () => reject(signal.reason);
    signal.addEventListener('abort', aborted, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', aborted);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', aborted);
        reject(error);
      },
    );
  });
}
