import { compileTemplate, type PromptMessage, type PromptVersionBody } from '@flywheel/spec';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useSession } from '../api/api-context.js';
import { ErrorMessage } from '../components/error-message.js';
import { JsonView } from '../components/json-view.js';
import { formatCost, formatCount, formatDuration, unknownFigure } from '../format/format-number.js';
import {
  completionText,
  type GatewayTarget,
  type PromptRun,
  type PromptRunResult,
  runPromptThroughGateway,
} from './gateway-chat.js';
import { parseVersion } from './prompt-paths.js';

/** A variable's value as typed, and whether to read it as JSON (for sections over lists and objects). */
interface VariableInput {
  text: string;
  json: boolean;
}

/** Runs a prompt, given the gateway to run it through (default: this server, with the session's key). */
export type PromptRunner = (run: PromptRun) => Promise<PromptRunResult>;

/**
 * The playground: a version (`?version=`, default the one production points at), a value per
 * variable, the rendered prompt as it will be sent, and a run through the gateway showing the
 * output, tokens, cost and latency.
 */
export function PromptPlayground({
  name,
  versions,
  runner,
}: {
  name: string;
  versions: PromptVersionBody[];
  /** Tests pass their own; the page runs through this server's gateway. */
  runner?: PromptRunner;
}) {
  const defaultRunner = useSessionRunner();
  const run = runner ?? defaultRunner;
  const [params, setParams] = useSearchParams();
  const versionId = useId();
  const modelId = useId();
  const fallback = versions.find((version) => version.labels.includes('production')) ?? versions[0]!;
  const asked = parseVersion(params.get('version'));
  const version = versions.find((candidate) => candidate.version === asked) ?? fallback;
  const [inputs, setInputs] = useState<Record<string, VariableInput>>({});
  const [model, setModel] = useState('');

  const values = readVariables(version.variables, inputs);
  const rendered = renderPreview(version, values.ok ? values.variables : {});
  const result = useMutation<PromptRunResult, Error, PromptRun>({ mutationFn: (input) => run(input) });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!values.ok || result.isPending) return;
    result.mutate({
      name,
      version: version.version,
      variables: values.variables,
      model: model.trim() || undefined,
    });
  };

  return (
    <div className="prompts-playground">
      <form
        className="panel prompts-playground-inputs"
        onSubmit={onSubmit}
        aria-label="Run the prompt"
        noValidate
      >
        <h2 className="panel-title">Inputs</h2>
        <div className="field">
          <label htmlFor={versionId} className="field-label">
            Version
          </label>
          <select
            id={versionId}
            className="select"
            value={version.version}
            onChange={(event) => {
              const next = new URLSearchParams(params);
              next.set('version', event.target.value);
              setParams(next, { replace: true });
              result.reset();
            }}
          >
            {versions.map((candidate) => (
              <option key={candidate.version} value={candidate.version}>
                v{candidate.version}
                {candidate.labels.length > 0 ? ` (${candidate.labels.join(', ')})` : ''}
              </option>
            ))}
          </select>
        </div>
        {version.variables.length === 0 ? (
          <p className="muted">This version has no variables.</p>
        ) : (
          version.variables.map((variable) => (
            <VariableField
              key={variable}
              name={variable}
              value={inputs[variable] ?? { text: '', json: false }}
              problem={values.ok ? undefined : values.problems[variable]}
              onChange={(value) => setInputs({ ...inputs, [variable]: value })}
            />
          ))
        )}
        <div className="field">
          <label htmlFor={modelId} className="field-label">
            Model
          </label>
          <input
            id={modelId}
            className="input"
            value={model}
            placeholder={version.config.model ?? 'chat-default'}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => setModel(event.target.value)}
          />
          <p className="field-hint">
            {version.config.model
              ? `Empty: the prompt's own (${version.config.model}).`
              : 'The prompt names no model: give a model alias of the gateway.'}
          </p>
        </div>
        <div>
          <button
            type="submit"
            className="button button-primary"
            aria-disabled={!values.ok || result.isPending}
          >
            {result.isPending ? 'Running…' : `Run v${version.version}`}
          </button>
        </div>
      </form>
      <section className="panel prompts-preview" aria-label="Rendered prompt">
        <h2 className="panel-title">Rendered prompt</h2>
        {rendered.ok ? (
          typeof rendered.output === 'string' ? (
            <pre className="prompts-pre">{rendered.output}</pre>
          ) : (
            <ol className="prompts-rendered-messages">
              {rendered.output.map((message, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: messages have no identity but their place
                <li key={index}>
                  <span className="prompts-role">{message.role}</span>
                  <pre className="prompts-pre">{message.content}</pre>
                </li>
              ))}
            </ol>
          )
        ) : (
          <p className="muted">{rendered.message}</p>
        )}
      </section>
      <section className="panel prompts-result" aria-label="Result" aria-busy={result.isPending}>
        <h2 className="panel-title">Result</h2>
        {result.isPending ? (
          <p className="muted" role="status">
            Running v{version.version} through the gateway…
          </p>
        ) : result.isError ? (
          <ErrorMessage title="The gateway did not run the prompt" error={result.error} />
        ) : result.data ? (
          <RunResult result={result.data} />
        ) : (
          <p className="muted">
            Fill in the variables and run: the call goes through the gateway and is traced.
          </p>
        )}
      </section>
    </div>
  );
}

function VariableField({
  name,
  value,
  problem,
  onChange,
}: {
  name: string;
  value: VariableInput;
  problem: string | undefined;
  onChange: (value: VariableInput) => void;
}) {
  const id = useId();
  const problemId = useId();
  return (
    <div className="field prompts-variable">
      <label htmlFor={id} className="field-label">
        {name}
      </label>
      <textarea
        id={id}
        className="input prompts-code"
        rows={2}
        value={value.text}
        aria-invalid={problem !== undefined}
        aria-describedby={problem ? problemId : undefined}
        onChange={(event) => onChange({ ...value, text: event.target.value })}
      />
      <label className="prompts-check field-hint">
        <input
          type="checkbox"
          checked={value.json}
          onChange={(event) => onChange({ ...value, json: event.target.checked })}
        />
        Read as JSON (a list or object for {'{{#sections}}'})
      </label>
      {problem ? (
        <p id={problemId} className="field-error">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

function RunResult({ result }: { result: PromptRunResult }) {
  const text = completionText(result.completion);
  const usage = result.completion.usage;
  const count = (value: number | null | undefined) =>
    value === null || value === undefined ? unknownFigure : formatCount(value);
  const figures = [
    { id: 'input-tokens', label: 'Tokens in', value: count(usage?.prompt_tokens) },
    { id: 'output-tokens', label: 'Tokens out', value: count(usage?.completion_tokens) },
    { id: 'total-tokens', label: 'Tokens total', value: count(usage?.total_tokens) },
    {
      id: 'cost',
      label: 'Cost',
      value: result.costUsd === null ? unknownFigure : formatCost(result.costUsd),
    },
    { id: 'latency', label: 'Latency', value: formatDuration(result.latencyMs) },
  ];
  const message = result.completion.choices[0]?.message;
  return (
    <div className="prompts-run">
      <dl className="prompts-figures" aria-label="Usage">
        {figures.map((figure) => (
          <div key={figure.id} data-figure={figure.id}>
            <dt>{figure.label}</dt>
            <dd>{figure.value}</dd>
          </div>
        ))}
      </dl>
      {result.costUsd === null ? (
        <p className="field-hint">No price is known for this model, so no cost.</p>
      ) : null}
      <h3>Output</h3>
      {text !== undefined ? (
        <pre className="prompts-pre prompts-output" data-testid="playground-output">
          {text}
        </pre>
      ) : (
        <JsonView value={message ?? null} label="Output" />
      )}
      <p className="muted prompts-run-meta">
        Model {result.completion.model}
        {result.traceId ? (
          <>
            {' · trace '}
            <code>{result.traceId}</code>
          </>
        ) : null}
      </p>
    </div>
  );
}

/** The values of the variables typed so far, or what is wrong with each (JSON that does not parse). */
function readVariables(
  names: readonly string[],
  inputs: Record<string, VariableInput>,
): { ok: true; variables: Record<string, unknown> } | { ok: false; problems: Record<string, string> } {
  const variables: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const name of names) {
    const input = inputs[name];
    // Untouched: left out, so the preview (and the gateway) say it is missing rather than send ''.
    if (input === undefined) continue;
    if (!input.json) {
      variables[name] = input.text;
      continue;
    }
    try {
      variables[name] = JSON.parse(input.text);
    } catch (error) {
      problems[name] = `Not JSON: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, variables };
}

/** The prompt as the gateway will render it (the same engine), or why it cannot be. */
function renderPreview(
  version: PromptVersionBody,
  variables: Record<string, unknown>,
): { ok: true; output: string | PromptMessage[] } | { ok: false; message: string } {
  try {
    return { ok: true, output: compileTemplate(version.template, variables) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Runs through this server's gateway, as the signed-in key, in the chosen project. */
function useSessionRunner(): PromptRunner {
  const { session } = useSession();
  return (input) => {
    if (!session) return Promise.reject(new Error('Sign in to run prompts.'));
    const target: GatewayTarget = {
      baseUrl: window.location.origin,
      apiKey: session.apiKey,
      projectId: session.projectId,
      fetch: (...args) => globalThis.fetch(...args),
    };
    return runPromptThroughGateway(target, input);
  };
}
