import { type ApiKeyService, createApiKeyService, type Stores } from '@flywheel/core';
import { createHmacKeyHasher, loadSettings, resolveServerSecret } from '@flywheel/server';
import { FlywheelError } from '@flywheel/spec';
import { openStorage } from '@flywheel/storage';
import type { CliIo, CommandInput } from '../command.js';
import { settingFlags } from './shared-options.js';

/** The local instance's stores and key service, opened from the same settings the server uses. */
export interface LocalInstance {
  stores: Stores;
  apiKeys: ApiKeyService;
  /** The project `--project` names, or the instance's first (default) project. */
  resolveProject(projectId: string | undefined): Promise<string>;
}

/** Opens the database and server secret, runs `work`, and closes the database. */
export async function withLocalInstance<T>(
  input: CommandInput,
  io: CliIo,
  work: (instance: LocalInstance) => Promise<T>,
): Promise<T> {
  const settings = loadSettings({ flags: settingFlags(input), env: io.env, cwd: io.cwd });
  const storage = openStorage({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  try {
    await storage.migrate();
    const secret = resolveServerSecret({ secret: settings.secret, dataDir: settings.dataDir });
    const apiKeys = createApiKeyService({
      stores: storage.stores,
      hasher: createHmacKeyHasher(secret.value),
    });
    return await work({
      stores: storage.stores,
      apiKeys,
      async resolveProject(projectId) {
        if (projectId !== undefined) {
          if (!(await storage.stores.projects.get(projectId))) {
            throw new FlywheelError(
              'project_not_found',
              `No project with id '${projectId}'. List them with the API: GET /api/projects.`,
            );
          }
          return projectId;
        }
        const [first] = await storage.stores.projects.list();
        if (!first) {
          throw new FlywheelError(
            'project_not_found',
            'This instance has no project yet: run `flywheel serve` once (it creates the default project), then retry.',
          );
        }
        return first.id;
      },
    });
  } finally {
    await storage.close();
  }
}
