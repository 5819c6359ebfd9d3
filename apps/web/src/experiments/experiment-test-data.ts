import type { ExperimentBody, ExperimentComparisonBody, ExperimentResultBody } from '@flywheel/spec';

/** Test data: experiments, results and comparisons in the REST API's shapes. */

export const targets = [
  {
    prompt_id: 'support/triage',
    prompt_label: 'triage',
    provider_id: 'flywheel:chat-default',
    provider_label: 'chat-default',
  },
  {
    prompt_id: 'support/triage',
    prompt_label: 'triage',
    provider_id: 'flywheel:chat-small',
    provider_label: 'chat-small',
  },
];

export function experiment(fields: Partial<ExperimentBody> = {}): ExperimentBody {
  return {
    id: 'exp_1',
    name: 'triage nightly',
    description: null,
    status: 'completed',
    targets,
    datasets: [{ name: 'support/golden', version: 1 }],
    metadata: {},
    summary: null,
    result_count: 0,
    created_by: { key_id: 'key_1', key_name: 'ci' },
    created_at: '2026-11-20T09:30:00.000Z',
    finished_at: '2026-11-20T09:31:00.000Z',
    ...fields,
  };
}

export function result(fields: Partial<ExperimentResultBody> = {}): ExperimentResultBody {
  return {
    case_key: 'charged-twice',
    case_index: 0,
    repeat: 0,
    prompt_id: 'support/triage',
    provider_id: 'flywheel:chat-default',
    vars: { ticket: 'I was charged twice' },
    output: 'billing',
    error: null,
    status: 'passed',
    score: 1,
    assertions: [
      { type: 'icontains', result: { status: 'scored', pass: true, score: 1, reason: 'Found "billing".' } },
    ],
    input_tokens: 12,
    output_tokens: 5,
    cost: 0.0048,
    latency_ms: 40,
    trace_id: null,
    cached: false,
    ...fields,
  };
}

export function comparison(fields: Partial<ExperimentComparisonBody> = {}): ExperimentComparisonBody {
  const side = { prompt_id: 'support/triage', provider_id: 'flywheel:chat-default' };
  return {
    a: { id: 'exp_a', name: 'baseline' },
    b: { id: 'exp_b', name: 'candidate' },
    targets: [
      {
        a: side,
        b: side,
        pairs: 12,
        unpaired: { a: 0, b: 1 },
        metrics: [
          {
            metric: 'pass_rate',
            n: 12,
            a: 11 / 12,
            b: 4 / 12,
            delta: -7 / 12,
            p_value: 0.039,
            verdict: 'regressed',
          },
          {
            metric: 'score',
            n: 12,
            a: 0.9,
            b: 0.4,
            delta: -0.5,
            low: -0.75,
            high: -0.25,
            verdict: 'regressed',
          },
          {
            metric: 'latency_ms',
            n: 12,
            a: 40,
            b: 38,
            delta: -2,
            low: -5,
            high: 1,
            verdict: 'no_significant_change',
          },
          {
            metric: 'cost',
            n: 12,
            a: 0.004,
            b: 0.002,
            delta: -0.002,
            low: -0.003,
            high: -0.001,
            verdict: 'improved',
          },
        ],
        verdict: 'regressed',
        broke: [
          {
            case_key: 'refund',
            repeat: 0,
            vars: { ticket: 'Where is my refund?' },
            a: { status: 'passed', score: 1, output: 'billing' },
            b: { status: 'failed', score: 0, output: '<script>window.__xss=1</script> tech' },
          },
        ],
        fixed: [
          {
            case_key: 'login',
            repeat: 0,
            vars: { ticket: 'I cannot log in' },
            a: { status: 'errored', score: 0, output: null },
            b: { status: 'passed', score: 1, output: 'tech' },
          },
        ],
        broke_count: 8,
        fixed_count: 1,
      },
    ],
    verdict: 'regressed',
    ...fields,
  };
}
