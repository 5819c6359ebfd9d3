import { FlywheelError } from '@flywheel/sdk';
import { describe, expect, it } from 'vitest';
import { completionText, runPromptThroughGateway } from './gateway-chat.js';

function fakeGateway(status: number, body: unknown, headers: Record<string, string> = {}) {
  const requests: Request[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push(new Request(input, init));
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
  };
  let clock = 100;
  const target = {
    baseUrl: 'http://flywheel.test',
    apiKey: 'fw_sk_test',
    projectId: 'prj_other',
    fetch,
    now: () => (clock += 250),
  };
  return { target, requests };
}

const completion = {
  id: 'chatcmpl_1',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Billing' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
};

describe('running a prompt through the gateway', () => {
  it('sends the prompt reference with the key and project, and reads cost, trace and latency', async () => {
    const { target, requests } = fakeGateway(200, completion, {
      'x-flywheel-cost-usd': '0.0048',
      'x-flywheel-trace-id': 'tr_1',
    });
    const result = await runPromptThroughGateway(target, {
      name: 'support/triage',
      version: 2,
      variables: { ticket: 'Hi' },
      model: undefined,
    });
    expect(result).toEqual({ completion, costUsd: 0.0048, latencyMs: 250, traceId: 'tr_1' });
    expect(completionText(result.completion)).toBe('Billing');
    const [request] = requests;
    expect(request?.url).toBe('http://flywheel.test/v1/chat/completions');
    expect(request?.headers.get('authorization')).toBe('Bearer fw_sk_test');
    expect(request?.headers.get('x-flywheel-project')).toBe('prj_other');
    expect(await request?.json()).toEqual({
      prompt: { name: 'support/triage', version: 2, variables: { ticket: 'Hi' } },
    });
  });

  it('sends a chosen model and reports an unpriced call as no cost', async () => {
    const { target, requests } = fakeGateway(200, completion);
    const result = await runPromptThroughGateway(target, {
      name: 'a',
      version: 1,
      variables: {},
      model: 'chat-small',
    });
    expect(result.costUsd).toBeNull();
    expect(await requests[0]!.json()).toMatchObject({ model: 'chat-small' });
  });

  it("turns the gateway's OpenAI-shaped refusal into an error with its message and code", async () => {
    const { target } = fakeGateway(403, {
      error: {
        message: 'This key lacks the gateway scope.',
        type: 'permission_error',
        code: 'insufficient_scope',
        param: null,
      },
    });
    const error = await runPromptThroughGateway(target, {
      name: 'a',
      version: 1,
      variables: {},
      model: undefined,
    }).catch((caught: unknown) => caught);
    expect(FlywheelError.is(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'insufficient_scope',
      message: 'This key lacks the gateway scope.',
      status: 403,
    });
  });

  it('says what answered when the body is not the gateway error shape', async () => {
    const { target } = fakeGateway(502, 'Bad gateway');
    await expect(
      runPromptThroughGateway(target, { name: 'a', version: 1, variables: {}, model: undefined }),
    ).rejects.toMatchObject({ code: 'server_unreachable', message: expect.stringContaining('502') });
  });
});
