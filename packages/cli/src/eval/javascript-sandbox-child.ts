/**
 * The program the JavaScript sandbox runs in its child process, as source text passed to
 * `node --input-type=module -e`. Text rather than a sibling file so that the same code runs from
 * `dist` and from sources under vitest, and so that the child needs no file system read access
 * at all (not even to its own script).
 *
 * Protocol: the parent writes one JSON request `{ code, output, vars, prompt? }` on stdin and
 * closes it; the child answers one JSON line on stdout, a `JavascriptRunResult`
 * (`{ status: 'scored', pass, score, reason }` or `{ status: 'errored', error: { code, message } }`),
 * then exits. `console.log` and friends go to stderr, so debugging output from user code does not
 * corrupt the answer.
 *
 * This is the isolated process, so building the user's function with the `AsyncFunction`
 * constructor is allowed here (and only here).
 */
export const javascriptSandboxChildSource = String.raw`
import { createRequire } from 'node:module';

// Taken before user code runs, so code that replaces globals cannot break the answer.
const write = process.stdout.write.bind(process.stdout);
const exit = process.exit.bind(process);
const stringify = JSON.stringify;
const AsyncFunction = (async () => {}).constructor;
const maxReasonChars = 10000;

function answer(result) {
  let line;
  try {
    line = stringify(result);
  } catch (error) {
    line = stringify({ status: 'errored', error: { code: 'assertion_result_invalid', message: 'javascript returned a result that cannot be serialised' } });
  }
  write(line + '\n', () => exit(0));
}

function failure(code, message) {
  return { status: 'errored', error: { code, message } };
}

function messageOf(error) {
  try {
    if (error instanceof Error) {
      const denied = error.code === 'ERR_ACCESS_DENIED'
        ? ' (the sandbox allows no file system access, child processes, workers or native addons)'
        : '';
      return (error.name && error.name !== 'Error' ? error.name + ': ' : '') + error.message + denied;
    }
    return String(error);
  } catch {
    return 'an error that cannot be described';
  }
}

function kind(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  return typeof value === 'object' ? 'an object' : 'a ' + typeof value;
}

const shape = 'a boolean, a score from 0 to 1, or { pass, score, reason }';

function verdict(value) {
  if (typeof value === 'boolean') {
    return { status: 'scored', pass: value, score: value ? 1 : 0, reason: 'javascript returned ' + value };
  }
  if (typeof value === 'number') {
    if (!(value >= 0 && value <= 1)) {
      return failure('assertion_result_invalid', 'javascript returned the number ' + value + '; it must return ' + shape);
    }
    return { status: 'scored', pass: value > 0, score: value, reason: 'javascript returned the score ' + value };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { pass, score, reason } = value;
    if (typeof pass !== 'boolean') {
      return failure('assertion_result_invalid', 'javascript returned an object without a boolean pass; it must return ' + shape);
    }
    const finalScore = score === undefined ? (pass ? 1 : 0) : score;
    if (typeof finalScore !== 'number' || !(finalScore >= 0 && finalScore <= 1)) {
      return failure('assertion_result_invalid', 'javascript returned the score ' + String(score) + '; a score must be a number from 0 to 1');
    }
    if (reason !== undefined && typeof reason !== 'string') {
      return failure('assertion_result_invalid', 'javascript returned a reason that is not a string');
    }
    const text = reason === undefined || reason === '' ? 'javascript returned pass: ' + pass : reason;
    return {
      status: 'scored',
      pass,
      score: finalScore,
      reason: text.length > maxReasonChars ? text.slice(0, maxReasonChars) + '…' : text,
    };
  }
  const hint = value === undefined ? ' (a function body needs a return statement)' : '';
  return failure('assertion_result_invalid', 'javascript must return ' + shape + ', but it returned ' + kind(value) + hint);
}

/**
 * Tries, in order: an expression (output.length < 100); statements then a final expression
 * (const n = output.length; n < 100), as promptfoo; a function body (… return x;).
 */
function compile(code) {
  const parameters = ['output', 'context', 'require'];
  const build = (body) => new AsyncFunction(...parameters, body);
  const trimmed = code.trim().replace(/;+$/, '');
  try {
    return build('return (\n' + trimmed + '\n);');
  } catch (expressionError) {
    const hasReturn = /\breturn\b/.test(code);
    if (!hasReturn) {
      // A ';' inside a string or a loop header makes a candidate that does not compile; the
      // next one to the left is tried.
      let index = trimmed.lastIndexOf(';');
      for (let tries = 0; index > 0 && tries < 50; tries++) {
        try {
          return build(trimmed.slice(0, index + 1) + '\nreturn (\n' + trimmed.slice(index + 1) + '\n);');
        } catch {
          index = trimmed.lastIndexOf(';', index - 1);
        }
      }
    }
    try {
      return build(code);
    } catch (bodyError) {
      throw hasReturn ? bodyError : expressionError;
    }
  }
}

async function main() {
  let request;
  try {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof request?.code !== 'string' || typeof request.output !== 'string') throw new Error('missing code or output');
  } catch (error) {
    return failure('assertion_javascript_failed', 'the sandbox could not read its request: ' + messageOf(error));
  }
  let run;
  try {
    run = compile(request.code);
  } catch (error) {
    return failure('assertion_value_invalid', 'value is not valid JavaScript: ' + messageOf(error));
  }
  const toStderr = (...items) => process.stderr.write(items.map(String).join(' ') + '\n');
  console.log = console.info = console.debug = toStderr;
  // Only built-in modules load: reading any file is denied by the permission model.
  const require = createRequire(import.meta.url);
  const context = { vars: request.vars ?? {}, ...(request.prompt === undefined ? {} : { prompt: request.prompt }) };
  let value;
  try {
    value = await run(request.output, context, require);
  } catch (error) {
    return failure('assertion_javascript_threw', 'javascript threw: ' + messageOf(error));
  }
  try {
    return verdict(value);
  } catch (error) {
    return failure('assertion_result_invalid', 'javascript returned a result that cannot be read: ' + messageOf(error));
  }
}

answer(await main());
`;
