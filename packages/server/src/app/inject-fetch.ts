import type { FastifyInstance } from 'fastify';

/** Statuses whose answers have no body (a `Response` refuses one). */
const bodylessStatuses = new Set([101, 204, 205, 304]);

/**
 * A `fetch` answered by the app in this process (Fastify's `inject`): the same routes, auth and
 * errors as over HTTP, without a socket or an HTTP parser on either side. For the local eval
 * runner's API calls (creating and finishing its experiment, reading prompts and datasets,
 * embeddings). Over a loopback socket, Node's global `fetch` compiled its own copy of llhttp to
 * WebAssembly and, a few answers later, V8 compiled that again with its optimizing tier on a
 * helper thread: ~75 ms of CPU in a one-case run on this machine (decision 0017, amended).
 * Only the URL's path and query are used; the answer is whole before it is returned (these
 * answers are small, and a dataset export is read to its end anyway).
 */
export function createInjectFetch(app: FastifyInstance): typeof fetch {
  return async (input, init) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(href, 'http://flywheel.local');
    const signal = init?.signal ?? undefined;
    signal?.throwIfAborted();
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const sent = init?.body;
    if (sent !== undefined && sent !== null && typeof sent !== 'string') {
      throw new TypeError('The in-process fetch sends string bodies only.');
    }
    const answering = app.inject({
      method: (init?.method ?? 'GET') as 'GET',
      url: `${url.pathname}${url.search}`,
      headers,
      ...(typeof sent === 'string' ? { payload: sent } : {}),
      // Ends the simulated request, as a client that goes away ends a socket.
      ...(signal ? { signal } : {}),
    });
    // A caller that aborts (Ctrl-C of an eval run) has its answer at once, not when the route ends.
    const answer = signal ? await untilAborted(answering, signal) : await answering;
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, String(one));
    }
    const payload = answer.rawPayload;
    const body = payload.buffer.slice(
      payload.byteOffset,
      payload.byteOffset + payload.byteLength,
    ) as ArrayBuffer;
    return new Response(bodylessStatuses.has(answer.statusCode) ? null : body, {
      status: answer.statusCode,
      headers: responseHeaders,
    });
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
