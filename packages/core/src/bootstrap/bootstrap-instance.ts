import { apiKeyScopes } from '@flywheel/spec';
import type { ApiKeyService } from '../api-keys/api-key-service.js';
import { newId } from '../ids/new-id.js';
import type { Stores } from '../ports/stores.js';
import type { Project } from '../projects/project.js';

/** Options of {@link bootstrapInstance}. */
export interface BootstrapOptions {
  stores: Stores;
  apiKeys: ApiKeyService;
  /** A given admin key (FLYWHEEL_BOOTSTRAP_KEY) instead of a random one. */
  bootstrapKey?: string;
  /** Name of the first project (default `default`). */
  projectName?: string;
  now?: () => Date;
}

/** What the first start created; undefined when the instance was bootstrapped before. */
export interface BootstrapResult {
  project: Project;
  /** The admin key: shown once, never stored in the clear. */
  adminKey: string;
  adminKeyId: string;
}

/**
 * On the first start of an empty instance, creates the default project and an instance-admin
 * key with every scope, in one transaction. Safe to call on every start and from several
 * processes at once: exactly one of them bootstraps.
 */
export async function bootstrapInstance(options: BootstrapOptions): Promise<BootstrapResult | undefined> {
  const now = options.now ?? (() => new Date());
  return options.stores.transaction(async (stores) => {
    const createdAt = now().toISOString();
    if (!(await stores.instance.claimBootstrap(createdAt))) return undefined;
    const project: Project = { id: newId('proj'), name: options.projectName ?? 'default', createdAt };
    await stores.projects.create(project);
    const created = await options.apiKeys.create(
      {
        projectId: project.id,
        name: 'bootstrap admin',
        scopes: apiKeyScopes,
        instanceAdmin: true,
        ...(options.bootstrapKey === undefined ? {} : { key: options.bootstrapKey }),
      },
      stores,
    );
    return { project, adminKey: created.key, adminKeyId: created.record.id };
  });
}
