import type { PromptVersionBody } from '@flywheel/spec';

/** A stored prompt version as the API answers it, for component tests. */
export function promptVersion(fields: Partial<PromptVersionBody> & { version: number }): PromptVersionBody {
  return {
    name: 'support/triage',
    type: 'text',
    template: 'Route this ticket: {{ticket}}',
    config: { model: 'chat-default' },
    commit_message: null,
    variables: ['ticket'],
    labels: [],
    created_by: { key_id: 'key_1', key_name: 'admin' },
    created_at: '2026-11-21T10:00:00.000Z',
    ...fields,
  };
}

/** A request body the fake API received, for tests that assert on what was sent. */
export interface SentBody {
  method: string;
  path: string;
  body: unknown;
}

/**
 * Wraps a fake fetch so the JSON bodies of requests are recorded (in `sent`) before it answers;
 * handlers read the latest one with `lastBody()`.
 */
export function recordingBodies(fetch: typeof globalThis.fetch) {
  const sent: SentBody[] = [];
  const recording: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const text = request.method === 'GET' ? '' : await request.clone().text();
    sent.push({
      method: request.method,
      path: new URL(request.url).pathname,
      body: text === '' ? undefined : JSON.parse(text),
    });
    return fetch(request);
  };
  return { fetch: recording, sent, lastBody: () => sent.at(-1)?.body };
}
