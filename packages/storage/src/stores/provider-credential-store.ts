import type { ProviderCredential, ProviderCredentialStore } from '@flywheel/core';
import { FlywheelError } from '@flywheel/spec';
import type { Selectable } from 'kysely';
import type { ProviderCredentialsTable } from '../schema/database-schema.js';
import type { StorageContext } from './storage-context.js';

/** The Kysely provider credential store. */
export function createProviderCredentialStore({ db, run }: StorageContext): ProviderCredentialStore {
  return {
    async create(credential) {
      try {
        await run(() =>
          db
            .insertInto('provider_credentials')
            .values({
              id: credential.id,
              project_id: credential.projectId,
              name: credential.name,
              provider: credential.provider,
              base_url: credential.baseUrl,
              api_key_sealed: credential.apiKeySealed,
              api_key_display: credential.apiKeyDisplay,
              created_at: credential.createdAt,
            })
            .execute(),
        );
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new FlywheelError(
            'conflict',
            `A provider credential named '${credential.name}' already exists in this project.`,
          );
        }
        throw error;
      }
    },
    async list(projectId) {
      const rows = await run(() =>
        db
          .selectFrom('provider_credentials')
          .selectAll()
          .where('project_id', '=', projectId)
          .orderBy('created_at')
          .orderBy('id')
          .execute(),
      );
      return rows.map(toCredential);
    },
    async getByName(projectId, name) {
      const row = await run(() =>
        db
          .selectFrom('provider_credentials')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('name', '=', name)
          .executeTakeFirst(),
      );
      return row && toCredential(row);
    },
    async delete(projectId, credentialId) {
      const result = await run(() =>
        db
          .deleteFrom('provider_credentials')
          .where('project_id', '=', projectId)
          .where('id', '=', credentialId)
          .executeTakeFirst(),
      );
      return Number(result.numDeletedRows) > 0;
    },
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT_UNIQUE'));
}

function toCredential(row: Selectable<ProviderCredentialsTable>): ProviderCredential {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    provider: row.provider as ProviderCredential['provider'],
    baseUrl: row.base_url,
    apiKeySealed: row.api_key_sealed,
    apiKeyDisplay: row.api_key_display,
    createdAt: row.created_at,
  };
}
