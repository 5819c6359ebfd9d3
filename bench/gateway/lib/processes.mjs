// Child processes pinned to a core, readiness polling, and per-process CPU and memory from /proc.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import { request } from 'undici';

const outputLimit = 8_192;
const running = new Set();

function clockTicksPerSecond() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
const ticksPerSecond = clockTicksPerSecond();

/**
 * Starts `command args` on one core (`taskset -c core`). `taskset` execs, so the returned pid is the
 * pid of `command` itself.
 */
export function spawnPinned({ name, core, command, args = [], env = {}, cwd }) {
  const child = spawn('taskset', ['-c', String(core), command, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-outputLimit);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(handle);
      resolve({ code, signal });
    });
    child.on('error', (error) => {
      keep(String(error));
      running.delete(handle);
      resolve({ code: null, signal: null, error });
    });
  });
  const handle = {
    name,
    pid: child.pid,
    exited,
    hasExited: false,
    output: () => output,
  };
  exited.then(() => {
    handle.hasExited = true;
  });
  running.add(handle);
  return handle;
}

/** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process is gone. */
export async function stopProcess(handle, graceMs = 5_000) {
  if (!handle || handle.hasExited) return;
  try {
    process.kill(handle.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(handle.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, graceMs);
  await handle.exited;
  clearTimeout(timer);
}

/** Kills every child started here (used on exit and on Ctrl-C). */
export function killAllSync() {
  for (const handle of running) {
    try {
      process.kill(handle.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

let cleanupInstalled = false;
/** Makes sure no child outlives this process, whatever way it ends. */
export function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      killAllSync();
      process.exit(130);
    });
  }
}

/** Pins this process (all its threads) to one core. */
export function pinSelf(core) {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `url` until it answers 200. Throws with the child's last output if the child exits first or
 * the time runs out.
 */
export async function waitForHttp(url, handle, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer';
  while (Date.now() < deadline) {
    if (handle?.hasExited) {
      throw new Error(`${handle.name} exited during start-up: ${excerpt(handle.output(), 600)}`);
    }
    try {
      const response = await request(url, { headersTimeout: 2_000, bodyTimeout: 2_000 });
      await response.body.dump();
      if (response.statusCode === 200) return;
      lastProblem = `status ${response.statusCode}`;
    } catch (error) {
      lastProblem = error.code ?? error.message;
    }
    await sleep(100);
  }
  throw new Error(`${handle?.name ?? url} not ready after ${timeoutMs} ms (${lastProblem})`);
}

/** User + system CPU time of a whole process (all threads), in milliseconds. */
export function cpuTimeMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond;
}

/** Resident set size of a process in MiB. */
export function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** The soft limit on open files of this process. */
export function openFileLimit() {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  if (!match) return { soft: Number.POSITIVE_INFINITY, hard: Number.POSITIVE_INFINITY };
  const parse = (value) => (value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value));
  return { soft: parse(match[1]), hard: parse(match[2]) };
}

/** One line, at most `length` characters, safe inside a Markdown table cell. */
export function excerpt(text, length = 160) {
  const line = stripVTControlCharacters(String(text)).replace(/\s+/g, ' ').replaceAll('|', '/').trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

/**
 * Runs a Node script of this benchmark pinned to `core`, passing `options` as one JSON argument. The
 * script prints its result as the last line of stdout; `finish()` closes its stdin, which long-running
 * scripts take as the signal to stop and report.
 */
export function runPinnedScript({ core, script, options }) {
  const child = spawn('taskset', ['-c', String(core), process.execPath, script, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output += chunk;
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.stdin.on('error', () => {});
  const result = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`${script} exited with ${code}: ${excerpt(output, 300)}`));
        return;
      }
      try {
        resolve(JSON.parse(output.trim().split('\n').at(-1)));
      } catch {
        reject(new Error(`${script} printed no result: ${excerpt(output, 300)}`));
      }
    });
  });
  return { result, finish: () => child.stdin.end() };
}
