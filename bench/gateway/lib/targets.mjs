// The things a benchmark can send load to: the fake upstream itself (`direct`) and the proxies in
// front of it. Each `start` resolves to a running target or throws with the reason it is unavailable.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { excerpt, freePort, spawnPinned, stopProcess, waitForHttp } from './processes.mjs';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(benchDir, '..', '..');
// BENCH_FLYWHEEL_BIN: another build's `flywheel.js` (a copy of `packages/cli/bundle`), for A/B runs.
const flywheelBin = process.env.BENCH_FLYWHEEL_BIN
  ? resolve(process.env.BENCH_FLYWHEEL_BIN)
  : join(repoRoot, 'packages', 'cli', 'bundle', 'flywheel.js');
const portkeyBin = join(benchDir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');

export const chatPath = '/v1/chat/completions';
export const flywheelKey = 'fw_sk_benchbenchbenchbenchbenchbenchbenchbenchben';
export const targetNames = ['direct', 'flywheel', 'bare', 'portkey'];

/** The same request for every target; only `model` differs (direct has no alias to resolve). */
export function chatBody(model, stream) {
  const body = { model, messages: [{ role: 'user', content: 'Say hello' }] };
  if (stream) body.stream = true;
  return JSON.stringify(body);
}

/** Starts the fake OpenAI-compatible upstream. */
export async function startUpstream({ core, env = {} }) {
  const port = await freePort();
  const handle = spawnPinned({
    name: 'fake upstream',
    core,
    command: process.execPath,
    args: [join(benchDir, 'fake-upstream.mjs')],
    env: { FAKE_PORT: String(port), ...env },
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/health`, handle);
  return { handle, pid: handle.pid, origin, stop: () => stopProcess(handle) };
}

function buildFlywheel(force) {
  if (existsSync(flywheelBin) && !force) return;
  process.stdout.write('building Flywheel: npm run build (at the repository root)\n');
  try {
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'pipe', encoding: 'utf8' });
  } catch (error) {
    throw new Error(`build failed: ${excerpt(`${error.stdout ?? ''} ${error.stderr ?? ''}`, 400)}`);
  }
  if (!existsSync(flywheelBin)) throw new Error(`build did not produce ${flywheelBin}`);
}

async function startFlywheel({ upstream, core, tempDir, forceBuild }) {
  buildFlywheel(forceBuild);
  const port = await freePort();
  const dir = join(tempDir, `flywheel-${port}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const config = join(dir, 'flywheel.config.yaml');
  writeFileSync(
    config,
    [
      'models:',
      '  - name: bench',
      '    targets:',
      `      - { provider: openai-compatible, model: fake-model, base_url: "${upstream.origin}/v1", api_key: "unused" }`,
      '',
    ].join('\n'),
  );
  const handle = spawnPinned({
    name: 'flywheel',
    core,
    command: process.execPath,
    args: [flywheelBin, 'serve'],
    cwd: dir,
    env: {
      FLYWHEEL_CONFIG: config,
      FLYWHEEL_DATA_DIR: join(dir, 'data'),
      FLYWHEEL_BOOTSTRAP_KEY: flywheelKey,
      FLYWHEEL_PORT: String(port),
      FLYWHEEL_LOG_LEVEL: 'warn',
    },
  });
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${origin}/health`, handle, 60_000);
  } catch (error) {
    await stopProcess(handle);
    throw new Error(`start-up failed: ${excerpt(error.message, 400)}`);
  }
  return {
    pid: handle.pid,
    handle,
    origin,
    healthPath: '/health',
    model: 'bench',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${flywheelKey}` },
    stop: () => stopProcess(handle),
  };
}

async function startBare({ upstream, core }) {
  const port = await freePort();
  const handle = spawnPinned({
    name: 'bare proxy',
    core,
    command: process.execPath,
    args: [join(benchDir, 'bare-proxy.mjs')],
    env: { BARE_PORT: String(port), BARE_UPSTREAM: upstream.origin },
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/health`, handle);
  return {
    pid: handle.pid,
    handle,
    origin,
    healthPath: '/health',
    model: 'bench',
    headers: { 'content-type': 'application/json', authorization: 'Bearer unused' },
    stop: () => stopProcess(handle),
  };
}

async function startPortkey({ upstream, core }) {
  if (!existsSync(portkeyBin)) {
    throw new Error('@portkey-ai/gateway is not installed (run: npm --prefix bench/gateway install)');
  }
  const port = await freePort();
  const handle = spawnPinned({
    name: 'portkey',
    core,
    command: process.execPath,
    // --headless: no console UI and no log stream, the way one runs it in production.
    args: [portkeyBin, `--port=${port}`, '--headless'],
  });
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${origin}/`, handle);
  } catch (error) {
    await stopProcess(handle);
    throw new Error(`start-up failed: ${excerpt(error.message, 400)}`);
  }
  return {
    pid: handle.pid,
    handle,
    origin,
    healthPath: '/',
    model: 'bench',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer unused',
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${upstream.origin}/v1`,
    },
    stop: () => stopProcess(handle),
  };
}

function directTarget({ upstream }) {
  return {
    pid: undefined,
    origin: upstream.origin,
    healthPath: '/health',
    model: 'fake-model',
    headers: { 'content-type': 'application/json', authorization: 'Bearer unused' },
    stop: async () => {},
  };
}

/**
 * Starts the named target in front of `upstream`.
 * @param {{ upstream: { origin: string }, core: number, tempDir: string, forceBuild?: boolean }} context
 */
export async function startTarget(name, context) {
  switch (name) {
    case 'direct':
      return directTarget(context);
    case 'flywheel':
      return startFlywheel(context);
    case 'bare':
      return startBare(context);
    case 'portkey':
      return startPortkey(context);
    default:
      throw new Error(`unknown target ${JSON.stringify(name)} (known: ${targetNames.join(', ')})`);
  }
}

/**
 * Sends one request and checks the answer looks like a chat completion. Resolves to `undefined` when
 * it does, else to the reason (status and body excerpt).
 */
export async function probe(target, stream) {
  try {
    const response = await request(`${target.origin}${chatPath}`, {
      method: 'POST',
      headers: target.headers,
      body: chatBody(target.model, stream),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode > 299) {
      return `${response.statusCode} ${excerpt(text, 200)}`;
    }
    if (stream && !text.includes('data: [DONE]'))
      return `streamed answer has no [DONE]: ${excerpt(text, 200)}`;
    if (!stream && !text.includes('"chat.completion"')) {
      return `answer is not a chat.completion: ${excerpt(text, 200)}`;
    }
    return undefined;
  } catch (error) {
    return `request failed: ${excerpt(error.message, 200)}`;
  }
}
