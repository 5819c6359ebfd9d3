import type { FetchLike } from '@flywheel/sdk';
import { loadSettings } from '@flywheel/server';
import { type AppendExperimentResults, type InProcessGateway, startFlywheel } from '@flywheel/server/main';
import { FlywheelError } from '@flywheel/spec';
import type { CliIo, CommandInput } from '../command.js';
import { settingFlags } from '../commands/shared-options.js';

/** Where an eval run sends its model calls and stores its experiment. */
export interface EvalConnection {
  baseUrl: string;
  apiKey: string;
  /** Where the eval cache lives. */
  dataDir: string;
  /** `local` runs an embedded server on the local data dir; `server` talks to `--server`. */
  mode: 'local' | 'server';
  /**
   * Local runs only: the embedded server without HTTP, for what a run does per case — its
   * gateway for the model calls (the same routing, cost and traces) and the writer thread for
   * the results — without a loopback round trip and two HTTP parsers each time.
   */
  inProcess?: { gateway: InProcessGateway; appendResults: AppendExperimentResults; projectId: string };
  /**
   * Local runs only: a `fetch` answered by the embedded server without a socket, for the run's
   * API calls (its experiment, prompts, datasets, embeddings).
   */
  fetch?: FetchLike;
  close(): Promise<void>;
}

/**
 * Connects an eval run. With `--server URL` (key from `--api-key` or FLYWHEEL_API_KEY), that
 * server's gateway and experiments are used, so a team sees CI runs in its UI. Without it,
 * Flywheel starts in this process on 127.0.0.1 with the local data dir and
 * flywheel.config.yaml (no server needed, as in CI), under a key that only that embedded server
 * accepts and that is never stored. Either way the run goes through the same gateway (cached, costed, traced).
 */
export async function connectEval(input: CommandInput, io: CliIo): Promise<EvalConnection> {
  const flags = settingFlags(input);
  const server = typeof input.flags.server === 'string' ? input.flags.server : undefined;
  const settings = loadSettings({
    flags: { ...flags, ...(server === undefined ? { host: '127.0.0.1', port: '0' } : {}) },
    env: { ...io.env, FLYWHEEL_LOG_LEVEL: io.env.FLYWHEEL_LOG_LEVEL ?? 'error' },
    cwd: io.cwd,
  });
  if (server !== undefined) {
    try {
      const url = new URL(server);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw new FlywheelError(
        'invalid_argument',
        `--server ${JSON.stringify(server)} is not an http(s) URL, e.g. http://flywheel.internal:4000.`,
      );
    }
    const apiKey =
      (typeof input.flags['api-key'] === 'string' ? input.flags['api-key'] : undefined) ??
      io.env.FLYWHEEL_API_KEY;
    if (!apiKey) {
      throw new FlywheelError(
        'invalid_argument',
        '--server needs an API key with the gateway, read and write scopes: pass --api-key or set FLYWHEEL_API_KEY.',
      );
    }
    return {
      baseUrl: server.replace(/\/+$/, ''),
      apiKey,
      dataDir: settings.dataDir,
      mode: 'server',
      close: async () => {},
    };
  }

  // The run's key exists only inside the server it starts: nothing is stored, so nothing is
  // left behind in `flywheel keys list` after the run.
  const running = await startFlywheel(settings, {
    print: () => {},
    processKey: { name: 'flywheel eval (local run)', scopes: ['gateway', 'read', 'write'] },
    directGatewayTraces: true,
    serveWebUi: false,
  });
  const key = running.processKey!;
  return {
    baseUrl: running.url,
    apiKey: key.key,
    dataDir: settings.dataDir,
    mode: 'local',
    fetch: running.fetch,
    inProcess: {
      gateway: running.gateway,
      appendResults: running.appendExperimentResults,
      projectId: key.record.projectId,
    },
    close: () => running.close(),
  };
}
