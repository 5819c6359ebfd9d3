import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvalCaseResult } from '@flywheel/core';
import { describe, expect, it } from 'vitest';
import { openEvalOutput, outputFormat } from './eval-output.js';

function result(index: number, status: EvalCaseResult['status']): EvalCaseResult {
  return {
    caseIndex: index,
    caseKey: `k${index}`,
    repeat: 0,
    promptId: 'p',
    providerId: 'flywheel:m',
    vars: { question: `q<${index}> & "more"` },
    output: status === 'errored' ? null : `answer ${index} <b>`,
    error: status === 'errored' ? { code: 'upstream_timeout', message: 'no answer in 30 s' } : null,
    status,
    score: status === 'passed' ? 1 : 0,
    assertions:
      status === 'failed'
        ? [
            {
              type: 'icontains',
              result: { status: 'scored', pass: false, score: 0, reason: 'output lacks "paris"' },
            },
          ]
        : [],
    inputTokens: 1,
    outputTokens: 1,
    cost: null,
    latencyMs: 1500,
    traceId: null,
    cached: false,
  };
}

const labels = { prompt: 'triage', provider: 'm' };

describe('eval output files', () => {
  it('chooses the format by extension and refuses others with the fix', () => {
    expect(outputFormat('r.json')).toBe('json');
    expect(outputFormat('r.JSONL')).toBe('jsonl');
    expect(outputFormat('junit.xml')).toBe('junit');
    expect(() => outputFormat('r.txt')).toThrow(/must end in .json, .jsonl or .xml/);
  });

  it('writes one JSON document with the results then the summary', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'flywheel-out-')), 'results.json');
    const output = await openEvalOutput(path);
    for (const [index, status] of (['passed', 'failed'] as const).entries())
      await output.write(result(index, status), labels);
    await output.close({ pass_rate: 0.5 });
    const parsed = JSON.parse(readFileSync(path, 'utf8'));
    expect(
      parsed.results.map((item: { status: string; prompt: string }) => [item.status, item.prompt]),
    ).toEqual([
      ['passed', 'triage'],
      ['failed', 'triage'],
    ]);
    expect(parsed.summary).toEqual({ pass_rate: 0.5 });
  });

  it('writes JUnit with counts, failures with their reasons, errors with their codes, all escaped', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'flywheel-out-')), 'junit.xml');
    const output = await openEvalOutput(path);
    await output.write(result(0, 'passed'), labels);
    await output.write(result(1, 'failed'), labels);
    await output.write(result(2, 'errored'), labels);
    await output.close({});
    const xml = readFileSync(path, 'utf8');
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites tests="3" failures="1" errors="1" time="4.500">/,
    );
    expect(xml).toContain('<failure message="icontains: output lacks &quot;paris&quot;">');
    expect(xml).toContain('answer 1 &lt;b&gt;');
    expect(xml).toContain('<error type="upstream_timeout" message="no answer in 30 s"/>');
    expect(xml).toContain('q&lt;0&gt; &amp; \\&quot;more\\&quot;');
    expect(xml.trim().endsWith('</testsuites>')).toBe(true);
  });
});
