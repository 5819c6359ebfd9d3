/**
 * What an API client reads of an answer (the SDK's). A WHATWG `Response` has all of it; the
 * server's in-process fetch (the local eval runner's) answers with a plain object instead, so
 * that a run never loads Node's `fetch` machinery (~50 ms of CPU on first use here, measured with
 * `new Headers()`).
 */
export interface FetchAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  /** The body as a stream (dataset exports read it line by line); null when there is none. */
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

/** How the client sends a request: the global `fetch` (the default), or any function like it. */
export type FetchLike = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<FetchAnswer>;
