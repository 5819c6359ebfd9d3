/** A request the fake API received. */
export interface FakeApiRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: Headers;
}

/** Answers one request: a JSON body with a status, or an error body in the server's REST shape. */
export type FakeApiAnswer = { status?: number; body: unknown };

/**
 * A fetch that answers like the Flywheel REST API from a table of handlers keyed by
 * `"GET /api/projects/current"`. Anything else answers the server's 404 `route_not_found`.
 */
export function createFakeApi(handlers: Record<string, (request: FakeApiRequest) => FakeApiAnswer>) {
  const requests: FakeApiRequest[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const recorded: FakeApiRequest = {
      method: request.method,
      path: url.pathname,
      search: url.searchParams,
      headers: request.headers,
    };
    requests.push(recorded);
    const handler = handlers[`${request.method} ${url.pathname}`];
    const answer = handler
      ? handler(recorded)
      : { status: 404, body: restError('route_not_found', `No endpoint ${request.method} ${url.pathname}.`) };
    return new Response(JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch, requests };
}

/** The REST API's error body. */
export function restError(code: string, message: string) {
  return { error: { code, message, request_id: 'req_test' } };
}

/** A metrics row with every figure zero unless given. */
export function metricsRow(fields: Partial<Record<string, unknown>> = {}) {
  return {
    key: null,
    requests: 0,
    errors: 0,
    input_tokens: 0,
    output_tokens: 0,
    cost: 0,
    unknown_cost_count: 0,
    latency_ms: { avg: null, p50: null, p95: null, p99: null },
    ...fields,
  };
}
