import { FlywheelError } from '@flywheel/spec';
import type { AssertionConfig, AssertionContext, AssertionDefinition, AssertionResult } from './assertion.js';
import { describeKind, errored } from './assertion-value.js';
import { equalsAssertion } from './equals-assertion.js';
import { javascriptAssertion } from './javascript-assertion.js';
import { containsJsonAssertion, isJsonAssertion, jsonSchemaAssertion } from './json-assertions.js';
import { factualityAssertion, llmRubricAssertion } from './model-graded-assertions.js';
import { costAssertion, latencyAssertion } from './performance-assertions.js';
import { regexAssertion } from './regex-assertion.js';
import { similarAssertion } from './similar-assertion.js';
import { levenshteinAssertion, rougeNAssertion } from './similarity-assertions.js';
import {
  containsAllAssertion,
  containsAnyAssertion,
  containsAssertion,
  icontainsAllAssertion,
  icontainsAnyAssertion,
  icontainsAssertion,
  startsWithAssertion,
} from './substring-assertions.js';

// Re-exported so a runner imports the whole assertion API from the registry.
export type { CaseAssertionOutcome } from './combine-assertion-results.js';
export { combineAssertionResults } from './combine-assertion-results.js';

const definitions: readonly AssertionDefinition[] = [
  equalsAssertion,
  containsAssertion,
  icontainsAssertion,
  containsAnyAssertion,
  containsAllAssertion,
  icontainsAnyAssertion,
  icontainsAllAssertion,
  startsWithAssertion,
  regexAssertion,
  isJsonAssertion,
  containsJsonAssertion,
  jsonSchemaAssertion,
  levenshteinAssertion,
  rougeNAssertion,
  latencyAssertion,
  costAssertion,
  // These call a service of the context (a judge, embeddings, a sandbox) and answer errored
  // `assertion_service_unavailable` when the run has none.
  llmRubricAssertion,
  factualityAssertion,
  similarAssertion,
  javascriptAssertion,
];

/**
 * Assertion definitions by type. The functions below take one as their last argument (the
 * built-ins by default), so a caller can add types by spreading {@link assertionRegistry} into a
 * new record.
 */
export type AssertionRegistry = Readonly<Record<string, AssertionDefinition>>;

/**
 * Every built-in assertion, by type: the deterministic ones and those that need a service of
 * {@link AssertionContext.services} (`llm-rubric`, `factuality`, `similar`, `javascript`).
 * Negations (`not-contains`) are not listed: {@link resolveAssertion} derives them from the base type.
 */
export const assertionRegistry: AssertionRegistry = Object.freeze(
  Object.fromEntries(definitions.map((definition) => [definition.type, Object.freeze(definition)])),
);

/** The built-in assertion types, sorted (without their `not-` forms). */
export const knownAssertionTypes: readonly string[] = Object.freeze(Object.keys(assertionRegistry).sort());

/** The prefix that negates any assertion type. */
export const negationPrefix = 'not-';

/** An assertion type split into its base type and whether it is negated. */
export interface ParsedAssertionType {
  /** The type without its `not-` prefix. */
  base: string;
  /** Whether the type was written `not-<base>`. */
  negate: boolean;
}

/**
 * Splits the generic `not-` prefix off a type, once, so no definition handles negation itself.
 *
 * @example
 * parseAssertionType('not-contains'); // { base: 'contains', negate: true }
 */
export function parseAssertionType(type: string): ParsedAssertionType {
  return type.startsWith(negationPrefix)
    ? { base: type.slice(negationPrefix.length), negate: true }
    : { base: type, negate: false };
}

/**
 * Looks up an assertion type, handling the `not-` prefix generically; negation flips `pass` and
 * turns `score` into `1 - score`, leaving skipped and errored results as they are. An unknown
 * type answers an error listing the known types.
 *
 * @example
 * resolveAssertion('not-icontains'); // { definition: icontainsAssertion, negate: true }
 * resolveAssertion('g-eval'); // { error: 'Unknown assertion type "g-eval". Known types: …' }
 */
export function resolveAssertion(
  type: string,
  registry: AssertionRegistry = assertionRegistry,
): { definition: AssertionDefinition; negate: boolean } | { error: string } {
  const { base, negate } = parseAssertionType(type);
  if (Object.hasOwn(registry, base)) return { definition: registry[base]!, negate };
  const known = registry === assertionRegistry ? knownAssertionTypes : Object.keys(registry).sort();
  return {
    error: `Unknown assertion type ${JSON.stringify(type)}. Known types: ${known.join(', ')}; each also negated with the not- prefix (e.g. not-contains).`,
  };
}

/** The fields an assertion may have; anything else (promptfoo's `transform`, `provider`…) is refused. */
export const assertionConfigFields = ['type', 'value', 'threshold', 'weight', 'metric'] as const;

type Prepared =
  | { ok: true; definition: AssertionDefinition; negate: boolean }
  | { ok: false; code: 'assertion_unknown_type' | 'assertion_config_invalid'; message: string };

/** Resolves the type and runs the generic then the type's own checks. */
function prepare(config: AssertionConfig, registry: AssertionRegistry): Prepared {
  const invalid = (message: string): Prepared => ({ ok: false, code: 'assertion_config_invalid', message });
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return invalid(`an assertion must be an object with a type, got ${describeKind(config)}`);
  }
  if (typeof config.type !== 'string' || config.type === '') {
    return invalid(`type must be an assertion type such as "contains", got ${describeKind(config.type)}`);
  }
  const resolved = resolveAssertion(config.type, registry);
  if ('error' in resolved) return { ok: false, code: 'assertion_unknown_type', message: resolved.error };
  const unknown = Object.keys(config).filter(
    (field) => !(assertionConfigFields as readonly string[]).includes(field),
  );
  if (unknown.length > 0) {
    return invalid(
      `unknown field(s) ${unknown.map((field) => JSON.stringify(field)).join(', ')}; an assertion has ${assertionConfigFields.join(', ')}`,
    );
  }
  if (
    config.threshold !== undefined &&
    (typeof config.threshold !== 'number' || !Number.isFinite(config.threshold))
  ) {
    return invalid(`threshold must be a number, got ${describeKind(config.threshold)}`);
  }
  if (
    config.weight !== undefined &&
    (typeof config.weight !== 'number' || !Number.isFinite(config.weight) || config.weight < 0)
  ) {
    return invalid(
      `weight must be a number >= 0 (0 makes the assertion informational), got ${JSON.stringify(config.weight)}`,
    );
  }
  if (config.metric !== undefined && (typeof config.metric !== 'string' || config.metric === '')) {
    return invalid(`metric must be a non-empty string, got ${describeKind(config.metric)}`);
  }
  const problem = resolved.definition.validate(config);
  return problem === undefined ? { ok: true, ...resolved } : invalid(problem);
}

/**
 * Validates every assertion of a case when the suite loads. Each message names the case (`where`),
 * the assertion's index and type, and what to fix.
 *
 * @example
 * validateAssertions([{ type: 'contains', value: 'Paris' }, { type: 'regex', value: '(' }], 'tests[3]');
 * // ['tests[3].assert[1] (regex): value must be a valid regular expression: Unterminated group']
 */
export function validateAssertions(
  assertions: readonly AssertionConfig[],
  where: string,
  registry: AssertionRegistry = assertionRegistry,
): string[] {
  if (!Array.isArray(assertions))
    return [`${where}.assert: must be a list of assertions, got ${describeKind(assertions)}`];
  const problems: string[] = [];
  for (const [index, config] of assertions.entries()) {
    const prepared = prepare(config, registry);
    if (prepared.ok) continue;
    const type = typeof config?.type === 'string' && config.type !== '' ? ` (${config.type})` : '';
    problems.push(`${where}.assert[${index}]${type}: ${prepared.message}`);
  }
  return problems;
}

/**
 * Runs one assertion: resolves its type, validates it, evaluates it and applies `not-`. Never
 * throws: a bad configuration, a missing output or an exception inside the evaluation becomes an
 * errored result.
 *
 * @example
 * await runAssertion({ type: 'not-icontains', value: 'sorry' }, { output: 'Paris.', vars: {} });
 * // { status: 'scored', pass: true, score: 1, reason: 'output does not contain "sorry" (ignoring case)' }
 */
export async function runAssertion(
  config: AssertionConfig,
  context: AssertionContext,
  registry: AssertionRegistry = assertionRegistry,
): Promise<AssertionResult> {
  const prepared = prepare(config, registry);
  if (!prepared.ok) return errored(prepared.code, prepared.message);
  if (context.outputError !== undefined) {
    const { code, message } = context.outputError;
    return errored('assertion_output_unavailable', `there is no output to check (${code}: ${message})`);
  }
  let result: AssertionResult;
  try {
    result = await prepared.definition.evaluate(config, context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = FlywheelError.is(error) ? error.code : 'assertion_evaluate_failed';
    return errored(code, `${config.type} failed while evaluating: ${message}`);
  }
  if (result.status !== 'scored') return result;
  if (typeof result.pass !== 'boolean' || !(result.score >= 0 && result.score <= 1)) {
    return errored(
      'assertion_result_invalid',
      `${config.type} returned an invalid result (pass ${String(result.pass)}, score ${String(result.score)}); a score must be between 0 and 1`,
    );
  }
  return prepared.negate ? { ...result, pass: !result.pass, score: 1 - result.score } : result;
}
