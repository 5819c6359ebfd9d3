import { loadSettings } from '@flywheel/server';
import { startFlywheel } from '@flywheel/server/main';
import type { CommandDefinition } from '../command.js';
import { settingFlags, storageOptions } from './shared-options.js';

export const serveCommand: CommandDefinition = {
  path: ['serve'],
  summary: 'Start the Flywheel server (gateway, API and UI) in the foreground.',
  usage: 'serve [options]',
  description:
    'Migrates the database, creates a default project and an admin API key on the first start (printed once), and listens until SIGTERM or Ctrl-C, then drains in-flight requests and closes the database.',
  options: {
    port: {
      type: 'string',
      valueName: 'n',
      description: 'TCP port (env FLYWHEEL_PORT, default 4000; 0 picks a free one).',
    },
    host: {
      type: 'string',
      valueName: 'addr',
      description: 'Interface to listen on (env FLYWHEEL_HOST, default 127.0.0.1).',
    },
    'log-level': {
      type: 'string',
      valueName: 'level',
      description: 'fatal, error, warn, info, debug, trace or silent (env FLYWHEEL_LOG_LEVEL, default info).',
    },
    ...storageOptions,
  },
  examples: [
    ['flywheel serve', 'Start on http://127.0.0.1:4000 with SQLite in ./.flywheel.'],
    ['flywheel serve --port 8080 --host 0.0.0.0', 'Listen on every interface, port 8080.'],
    [
      'FLYWHEEL_DATABASE_URL=postgres://fw:pw@db:5432/flywheel flywheel serve',
      'Keep the data in PostgreSQL.',
    ],
    [
      'FLYWHEEL_BOOTSTRAP_KEY=fw_sk_… flywheel serve',
      'Make the first admin key a value you chose (automation).',
    ],
  ],
  async run(input, io) {
    const settings = loadSettings({ flags: settingFlags(input), env: io.env, cwd: io.cwd });
    const running = await startFlywheel(settings, { print: io.stdout });
    io.serverStarted?.();
    await new Promise<void>((resolve, reject) => {
      const stop = io.onShutdownSignal((signal) => {
        stop();
        io.stderr(`Received ${signal}: draining in-flight requests, then closing the database.\n`);
        running.close().then(resolve, reject);
      });
    });
    return 0;
  },
};
