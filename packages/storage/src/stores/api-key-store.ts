import type { ApiKeyRecord, ApiKeyStore } from '@flywheel/core';
import { type ApiKeyScope, apiKeyScopes } from '@flywheel/spec';
import type { Selectable } from 'kysely';
import type { ApiKeysTable } from '../schema/database-schema.js';
import type { StorageContext } from './storage-context.js';

/** The Kysely API key store. */
export function createApiKeyStore({ db, run }: StorageContext): ApiKeyStore {
  const get = async (projectId: string, keyId: string) => {
    const row = await run(() =>
      db
        .selectFrom('api_keys')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('id', '=', keyId)
        .executeTakeFirst(),
    );
    return row && toApiKey(row);
  };
  return {
    async create(key) {
      await run(() =>
        db
          .insertInto('api_keys')
          .values({
            id: key.id,
            project_id: key.projectId,
            name: key.name,
            hash: key.hash,
            prefix: key.prefix,
            suffix: key.suffix,
            scopes: JSON.stringify(key.scopes),
            instance_admin: key.instanceAdmin ? 1 : 0,
            created_at: key.createdAt,
            revoked_at: key.revokedAt,
          })
          .execute(),
      );
    },
    get,
    async list(projectId) {
      const rows = await run(() =>
        db
          .selectFrom('api_keys')
          .selectAll()
          .where('project_id', '=', projectId)
          .orderBy('created_at')
          .orderBy('id')
          .execute(),
      );
      return rows.map(toApiKey);
    },
    async revoke(projectId, keyId, revokedAt) {
      await run(() =>
        db
          .updateTable('api_keys')
          .set({ revoked_at: revokedAt })
          .where('project_id', '=', projectId)
          .where('id', '=', keyId)
          .where('revoked_at', 'is', null)
          .execute(),
      );
      return get(projectId, keyId);
    },
    async findByHash(hash) {
      const row = await run(() =>
        db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst(),
      );
      return row && toApiKey(row);
    },
  };
}

function toApiKey(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    hash: row.hash,
    prefix: row.prefix,
    suffix: row.suffix,
    scopes: parseScopes(row.scopes),
    instanceAdmin: Number(row.instance_admin) === 1,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

function parseScopes(text: string): ApiKeyScope[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [];
  // Unknown scopes (from a newer version's rows) are dropped rather than trusted.
  return apiKeyScopes.filter((scope) => parsed.includes(scope));
}
