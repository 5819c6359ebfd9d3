import { newId } from '@flywheel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';

// Experiments through HTTP: record a run, page its results, compare two runs with verdicts.

let t: TestApp;
let otherKey: string;

beforeAll(async () => {
  t = await createTestApp();
  const other = { id: newId('proj'), name: 'other', createdAt: new Date().toISOString() };
  await t.stores.projects.create(other);
  otherKey = (await t.apiKeys.create({ projectId: other.id, name: 'b', scopes: ['read', 'write'] })).key;
});
afterAll(() => t.dispose());

function call(method: 'GET' | 'POST', url: string, body?: unknown, key = t.adminKey) {
  return t.app.inject({
    method,
    url,
    headers: t.auth(key),
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
}

const target = { prompt_id: 'p', prompt_label: 'triage', provider_id: 'flywheel:m', provider_label: 'm' };

function result(index: number, passed: boolean) {
  return {
    case_key: `case-${index}`,
    case_index: index,
    repeat: 0,
    prompt_id: 'p',
    provider_id: 'flywheel:m',
    vars: { index },
    output: passed ? 'right' : 'wrong',
    error: null,
    status: passed ? 'passed' : 'failed',
    score: passed ? 1 : 0,
    assertions: [],
    input_tokens: 5,
    output_tokens: 1,
    cost: 0.001,
    latency_ms: 50,
    trace_id: null,
    cached: false,
  };
}

async function run(name: string, passed: (index: number) => boolean) {
  const created = await call('POST', '/api/experiments', {
    name,
    targets: [target],
    datasets: [{ name: 'd', version: 2 }],
  });
  expect(created.statusCode).toBe(201);
  const { id } = created.json() as { id: string };
  const results = Array.from({ length: 100 }, (_, index) => result(index, passed(index)));
  for (const chunk of [results.slice(0, 60), results.slice(60)]) {
    const appended = await call('POST', `/api/experiments/${id}/results`, { results: chunk });
    expect(appended.json()).toEqual({ stored: chunk.length });
  }
  const finished = await call('POST', `/api/experiments/${id}/finish`, {
    status: 'completed',
    summary: { pass_rate: 0 },
  });
  expect(finished.json()).toMatchObject({ status: 'completed', result_count: 100 });
  return id;
}

describe('experiments API', () => {
  it('records a run and pages its results', async () => {
    const id = await run('baseline', (index) => index < 80);
    const experiment = await call('GET', `/api/experiments/${id}`);
    expect(experiment.json()).toMatchObject({
      name: 'baseline',
      datasets: [{ name: 'd', version: 2 }],
      targets: [target],
    });
    const first = await call('GET', `/api/experiments/${id}/results?limit=30`);
    expect(first.json().data).toHaveLength(30);
    const second = await call(
      'GET',
      `/api/experiments/${id}/results?limit=100&cursor=${first.json().next_cursor}`,
    );
    expect(second.json().data[0].case_key).toBe('case-30');
    expect(second.json().next_cursor).toBeNull();
    expect(
      (await call('GET', '/api/experiments?name=baseline'))
        .json()
        .data.map((item: { id: string }) => item.id),
    ).toContain(id);
  });

  it('compares two runs: a regression, an improvement, and no change', async () => {
    const baseline = await run('cmp-base', (index) => index < 80);
    const worse = await run('cmp-worse', (index) => index >= 30 && index < 80);
    const better = await run('cmp-better', (index) => index < 95);
    const regressed = await call('GET', `/api/experiments/${baseline}/compare/${worse}`);
    expect(regressed.statusCode).toBe(200);
    expect(regressed.json()).toMatchObject({
      verdict: 'regressed',
      targets: [{ pairs: 100, broke_count: 30, fixed_count: 0 }],
    });
    const passRate = regressed.json().targets[0].metrics[0];
    expect(passRate).toMatchObject({ metric: 'pass_rate', a: 0.8, b: 0.5, verdict: 'regressed' });
    expect(passRate.p_value).toBeLessThan(0.001);
    expect((await call('GET', `/api/experiments/${baseline}/compare/${better}`)).json().verdict).toBe(
      'improved',
    );
    expect((await call('GET', `/api/experiments/${baseline}/compare/${baseline}`)).json().verdict).toBe(
      'no_significant_change',
    );
  });

  it('answers 404 across projects and validates what it is sent', async () => {
    const id = await run('private', () => true);
    for (const url of [
      `/api/experiments/${id}`,
      `/api/experiments/${id}/results`,
      `/api/experiments/${id}/compare/${id}`,
    ]) {
      const response = await call('GET', url, undefined, otherKey);
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error.code).toBe('experiment_not_found');
    }
    expect(
      (await call('POST', `/api/experiments/${id}/results`, { results: [result(1, true)] }, otherKey))
        .statusCode,
    ).toBe(404);
    const bad = await call('POST', '/api/experiments', { name: '', targets: [] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
    const finished = await call('POST', `/api/experiments/${id}/results`, { results: [result(1, true)] });
    expect(finished.statusCode).toBe(409);
    expect((await call('GET', `/api/experiments/${id}/results?cursor=abc`)).json().error.code).toBe(
      'invalid_cursor',
    );
    expect(
      (await call('POST', `/api/experiments/${id}/results`, { results: [{ ...result(1, true), score: 2 }] }))
        .statusCode,
    ).toBe(400);
  });
});
