// Runs wrk (pinned to the load core) with a generated Lua script for the POST, and parses its
// `--latency` report.
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

function hasWrk() {
  try {
    execFileSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Installs wrk with apt-get when it is missing, saying so. Throws if that does not work. */
export function ensureWrk() {
  if (hasWrk()) return wrkVersion();
  process.stdout.write('wrk not found: running apt-get install -y wrk\n');
  const install = () => execFileSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit' });
  try {
    install();
  } catch {
    process.stdout.write('apt-get install failed: running apt-get update, then trying again\n');
    try {
      execFileSync('apt-get', ['update'], { stdio: 'inherit' });
      install();
    } catch (error) {
      throw new Error(`could not install wrk (${error.message}); install it and run again`);
    }
  }
  if (!hasWrk()) throw new Error('wrk is still not on PATH after apt-get install');
  return wrkVersion();
}

function wrkVersion() {
  try {
    execFileSync('wrk', ['--version'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    // wrk --version exits 1 after printing its banner.
    const banner = String(error.stdout ?? '').split('\n')[0];
    if (banner) return banner.replace(/\s+Copyright.*$/, '').trim();
  }
  return 'wrk';
}

/** Writes the Lua script that makes every wrk request the given POST. */
export function writeWrkScript(dir, name, { body, headers }) {
  // JSON string literals are valid Lua string literals for the ASCII bodies used here.
  const lines = ['wrk.method = "POST"', `wrk.body = ${JSON.stringify(body)}`];
  for (const [header, value] of Object.entries(headers)) {
    lines.push(`wrk.headers[${JSON.stringify(header)}] = ${JSON.stringify(value)}`);
  }
  const path = join(dir, `${name}.lua`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const timeUnits = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function parseDurationMs(text) {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  return match ? Number(match[1]) * timeUnits[match[2]] : Number.NaN;
}

/** Reads requests/s, latency percentiles and error counts out of wrk's `--latency` report. */
export function parseWrkReport(text) {
  const percentile = (label) => {
    const match = new RegExp(`^\\s*${label}%\\s+(\\S+)`, 'm').exec(text);
    return match ? parseDurationMs(match[1]) : Number.NaN;
  };
  const requests = /(\d+) requests in ([\d.]+)(\w+)/.exec(text);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const sockets = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: requests ? Number(requests[1]) : 0,
    seconds: requests ? parseDurationMs(`${requests[2]}${requests[3]}`) / 1000 : Number.NaN,
    requestsPerSecond: rps ? Number(rps[1]) : Number.NaN,
    p50Ms: percentile('50'),
    p99Ms: percentile('99'),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sockets ? sockets.slice(1).reduce((sum, value) => sum + Number(value), 0) : 0,
  };
}

/** Runs wrk once and resolves to the parsed report (plus the raw text). */
export function runWrk({ url, script, connections, threads, seconds, core, timeoutSeconds = 10 }) {
  const args = [
    '-c',
    String(core),
    'wrk',
    '-t',
    String(Math.min(threads, connections)),
    '-c',
    String(connections),
    '-d',
    `${seconds}s`,
    '--timeout',
    `${timeoutSeconds}s`,
    '--latency',
    '-s',
    script,
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`wrk exited with ${code}: ${output.slice(-400)}`));
      else resolve({ ...parseWrkReport(output), raw: output });
    });
  });
}
