import { type ChildProcess, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { JavascriptRunRequest, JavascriptRunResult } from '@flywheel/core';
import { FlywheelError } from '@flywheel/spec';
import { javascriptSandboxChildSource } from './javascript-sandbox-child.js';

/** Options of {@link createJavascriptSandbox}. */
export interface JavascriptSandboxOptions {
  /**
   * Milliseconds one run may take, from spawning the process (about 40 ms of it is Node starting)
   * to its answer; past it the process is killed (SIGKILL) and the run is errored
   * `assertion_timeout`. Default 5000.
   */
  timeoutMs?: number;
  /** V8 heap limit of each process, in MB (`--max-old-space-size`). Default 64. */
  maxMemoryMb?: number;
  /**
   * Processes alive at once; further runs wait for a free slot (the wait does not count against
   * `timeoutMs`). Each process costs about 40 MB of memory. Default: the number of CPUs.
   */
  maxProcesses?: number;
}

/** Runs user JavaScript in separate, limited processes. */
export interface JavascriptSandbox {
  /** Runs the code on one output; never throws, never runs the code in this process. */
  run(request: JavascriptRunRequest): Promise<JavascriptRunResult>;
  /** Kills the processes still running (their runs answer errored) and refuses new runs. Idempotent. */
  close(): Promise<void>;
}

/** Most bytes read from a child's stdout or stderr. */
export const maxSandboxOutputBytes = 1024 * 1024;

/**
 * Creates the sandbox that runs `javascript` assertions, one child process per run:
 * `process.execPath` with an empty environment (`env: {}`, so no secret of the parent is
 * visible), `--max-old-space-size`, and Node's permission model (`--experimental-permission`,
 * `--permission` on newer Node) with no `--allow-fs-read`, `--allow-fs-write`,
 * `--allow-child-process`, `--allow-worker`, `--allow-addons` or `--allow-wasi`: the code cannot
 * read or write files, start processes or threads, or load native code. The child's program is
 * passed with `-e` (see `javascript-sandbox-child.ts`), so it needs no file access either.
 * The request goes on stdin as JSON; the answer comes back as one JSON line on stdout.
 *
 * Limits, honestly:
 * - Network: Node 20's permission model does not restrict sockets, so the code CAN open network
 *   connections (`fetch`, `node:net`) for as long as the timeout lets it. Run untrusted suites
 *   in a container or network namespace without egress if that matters.
 * - Memory: `--max-old-space-size` caps the JavaScript heap only; `ArrayBuffer`/`Buffer` memory
 *   lives outside it and is bounded only by the timeout (and the machine). An OS limit
 *   (cgroup, `ulimit -v`) is the real cap.
 * - The permission model is marked experimental in Node 20 and has had bypasses fixed in patch
 *   releases: it is a guard against mistakes and casual misuse, not a boundary for hostile code.
 *   Keep Node up to date; for hostile code, add OS isolation.
 * - Cost: one process per run, about 40 ms and 40 MB each; a pool of warm processes would save
 *   the start-up but would let one run see the leftovers of the previous one.
 *
 * @example
 * const sandbox = createJavascriptSandbox({ timeoutMs: 2000 });
 * await sandbox.run({ code: 'output.length < 100', output: 'Paris', vars: {} });
 * // { status: 'scored', pass: true, score: 1, reason: 'javascript returned true' }
 * await sandbox.close();
 */
export function createJavascriptSandbox(options: JavascriptSandboxOptions = {}): JavascriptSandbox {
  const timeoutMs = positive(options.timeoutMs ?? 5000, 'timeoutMs');
  const maxMemoryMb = positive(options.maxMemoryMb ?? 64, 'maxMemoryMb');
  const maxProcesses = positive(options.maxProcesses ?? availableParallelism(), 'maxProcesses');
  const args = nodeArguments(maxMemoryMb);
  const running = new Set<ChildProcess>();
  const waiting: Array<(granted: boolean) => void> = [];
  let active = 0;
  let closed = false;

  const acquire = async (): Promise<boolean> => {
    if (closed) return false;
    if (active < maxProcesses) {
      active++;
      return true;
    }
    return new Promise<boolean>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next === undefined) active--;
    else next(true);
  };
  const closedResult = (): JavascriptRunResult =>
    errored('assertion_service_unavailable', 'the JavaScript sandbox is closed');

  return {
    async run(request) {
      if (!(await acquire())) return closedResult();
      try {
        return await runOnce(request, { args, timeoutMs, maxMemoryMb, running, isClosed: () => closed });
      } finally {
        release();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const resolve of waiting.splice(0)) resolve(false);
      const exits = [...running].map(
        (child) => new Promise<void>((resolve) => child.once('close', () => resolve())),
      );
      for (const child of running) child.kill('SIGKILL');
      await Promise.all(exits);
    },
  };
}

interface RunSettings {
  args: string[];
  timeoutMs: number;
  maxMemoryMb: number;
  running: Set<ChildProcess>;
  isClosed: () => boolean;
}

/** The flags of the child: limits first, then the program. */
function nodeArguments(maxMemoryMb: number): string[] {
  const flags = process.allowedNodeEnvironmentFlags;
  const permission = flags.has('--permission')
    ? '--permission'
    : flags.has('--experimental-permission')
      ? '--experimental-permission'
      : undefined;
  if (permission === undefined) {
    throw new FlywheelError(
      'invalid_setting',
      `The JavaScript sandbox needs Node's permission model (Node 20 or later); this is Node ${process.version}.`,
    );
  }
  return [
    `--max-old-space-size=${Math.floor(maxMemoryMb)}`,
    permission,
    '--no-addons',
    // The permission model warns that it is experimental on every start; the warning would
    // otherwise be the first line of every crash message.
    ...(flags.has('--disable-warning') ? ['--disable-warning=ExperimentalWarning'] : []),
    '--input-type=module',
    '-e',
    javascriptSandboxChildSource,
  ];
}

function runOnce(request: JavascriptRunRequest, settings: RunSettings): Promise<JavascriptRunResult> {
  let input: string;
  try {
    input = JSON.stringify({
      code: request.code,
      output: request.output,
      vars: request.vars,
      ...(request.prompt !== undefined ? { prompt: request.prompt } : {}),
    });
  } catch (error) {
    return Promise.resolve(
      errored(
        'assertion_javascript_failed',
        `the case's vars cannot be sent to the JavaScript sandbox: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, settings.args, {
        env: {},
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (error) {
      resolve(failedToStart(error));
      return;
    }
    settings.running.add(child);
    const stdout = new CappedBuffer();
    const stderr = new CappedBuffer();
    let timedOut = false;
    let startError: unknown;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, settings.timeoutMs);

    child.stdout?.on('data', (chunk: Buffer) => {
      // A flood on stdout cannot be an answer (that is one line): stop it now.
      if (!stdout.add(chunk)) child.kill('SIGKILL');
    });
    child.stderr?.on('data', (chunk: Buffer) => stderr.add(chunk));
    // The child may die before reading its request (EPIPE): its exit tells what happened.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
    child.on('error', (error) => {
      startError = error;
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      settings.running.delete(child);
      if (startError !== undefined && exitCode === null && signal === null) {
        resolve(failedToStart(startError));
        return;
      }
      resolve(
        interpret({
          stdout,
          stderr,
          exitCode,
          signal,
          timedOut,
          closed: settings.isClosed(),
          timeoutMs: settings.timeoutMs,
          maxMemoryMb: settings.maxMemoryMb,
        }),
      );
    });
  });
}

interface Finished {
  stdout: CappedBuffer;
  stderr: CappedBuffer;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  closed: boolean;
  timeoutMs: number;
  maxMemoryMb: number;
}

/** Turns what the child left behind into a result. */
function interpret(finished: Finished): JavascriptRunResult {
  const answer = parseAnswer(finished.stdout.text());
  if (answer !== undefined && !finished.timedOut) return answer;
  if (finished.timedOut) {
    return errored(
      'assertion_timeout',
      `javascript did not finish within ${finished.timeoutMs} ms and was stopped`,
    );
  }
  if (finished.closed)
    return errored('assertion_service_unavailable', 'the JavaScript sandbox was closed during the run');
  if (finished.stdout.overflowed) {
    return errored(
      'assertion_javascript_failed',
      `javascript wrote more than ${maxSandboxOutputBytes} bytes to standard output and was stopped`,
    );
  }
  const details = stderrSummary(finished.stderr.text());
  const suffix = details === '' ? '' : `: ${details}`;
  if (/heap out of memory|Reached heap limit/i.test(finished.stderr.text())) {
    return errored(
      'assertion_javascript_failed',
      `javascript ran out of memory (limit ${finished.maxMemoryMb} MB)${suffix}`,
    );
  }
  // Exit code 13: the module's top-level await never settled, i.e. the code returned a promise
  // that never resolves and nothing else kept the process alive.
  if (finished.exitCode === 13) {
    return errored(
      'assertion_javascript_failed',
      `javascript returned a promise that never settles${suffix}`,
    );
  }
  const how = finished.signal === null ? `exit code ${finished.exitCode}` : `signal ${finished.signal}`;
  return errored('assertion_javascript_failed', `javascript exited without a result (${how})${suffix}`);
}

/** The child's answer: the last line of stdout, if it is a well-formed result. */
function parseAnswer(stdout: string): JavascriptRunResult | undefined {
  const line = stdout.trimEnd().split('\n').at(-1);
  if (line === undefined || line === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  if (
    record.status === 'scored' &&
    typeof record.pass === 'boolean' &&
    typeof record.score === 'number' &&
    record.score >= 0 &&
    record.score <= 1 &&
    typeof record.reason === 'string'
  ) {
    return { status: 'scored', pass: record.pass, score: record.score, reason: record.reason };
  }
  const error = record.error as { code?: unknown; message?: unknown } | undefined;
  if (
    record.status === 'errored' &&
    typeof error?.code === 'string' &&
    /^assertion_[a-z_]+$/.test(error.code) &&
    typeof error.message === 'string'
  ) {
    return errored(error.code, error.message);
  }
  return undefined;
}

/** The lines of stderr worth showing: V8's fatal error line if any, else the first few lines. */
function stderrSummary(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/ExperimentalWarning|--trace-warnings/.test(line));
  const fatal = lines.find((line) => line.startsWith('FATAL ERROR'));
  const shown = fatal === undefined ? lines.slice(0, 5).join('\n') : fatal;
  return shown.length > 1000 ? `${shown.slice(0, 1000)}…` : shown;
}

/** Collects a stream's bytes up to {@link maxSandboxOutputBytes}, then drops the rest. */
class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  overflowed = false;

  /** Keeps what fits; false once the cap is passed. */
  add(chunk: Buffer): boolean {
    if (this.overflowed) return false;
    const room = maxSandboxOutputBytes - this.bytes;
    if (chunk.length > room) {
      this.chunks.push(chunk.subarray(0, room));
      this.bytes = maxSandboxOutputBytes;
      this.overflowed = true;
      return false;
    }
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    return true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function errored(code: string, message: string): JavascriptRunResult {
  return { status: 'errored', error: { code, message } };
}

function failedToStart(error: unknown): JavascriptRunResult {
  const message = error instanceof Error ? error.message : String(error);
  return errored(
    'assertion_javascript_failed',
    `the JavaScript sandbox could not start a process: ${message}`,
  );
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new FlywheelError('invalid_argument', `${name} must be a number above 0 (got ${value}).`);
  }
  return value;
}
