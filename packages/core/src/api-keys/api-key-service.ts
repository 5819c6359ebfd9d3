import { type ApiKeyScope, apiKeyScopes, FlywheelError } from '@flywheel/spec';
import { newId } from '../ids/new-id.js';
import type { StoreSet, Stores } from '../ports/stores.js';
import type { ApiKeyRecord } from './api-key.js';
import {
  apiKeyDisplayParts,
  apiKeyPrefix,
  constantTimeEqual,
  generateApiKey,
  isApiKeyFormat,
} from './api-key-format.js';

/**
 * Hashes API keys with a server-held secret (HMAC-SHA-256 in production). Keys carry 256 bits
 * of entropy, so a keyed fast hash is enough, and it keeps the check on every request in microseconds.
 */
export interface KeyHasher {
  /** Lower-case hex digest of `key`. */
  hash(key: string): string;
}

/**
 * The last key one connection sent and its hash. A kept-alive client sends the same key on every
 * request, and creating an HMAC was the largest step of the check (~40 µs per request at one
 * connection, measured with --cpu-prof), so the caller keeps one of these per connection. It is
 * per connection on purpose: a key is only ever compared with what the same caller sent before,
 * so the comparison's timing tells nobody anything about another caller's key. Only the hash is
 * reused: the verified-key cache, its expiry and revocation still decide every request.
 */
export interface KeyHashMemo {
  key?: string;
  hash?: string;
}

/** Dependencies of the API key service. */
export interface ApiKeyServiceDeps {
  stores: Stores;
  hasher: KeyHasher;
  /** Current time; injectable for tests. */
  now?: () => Date;
  /** How long a verified key is trusted without asking the database again (default 10 s). */
  cacheTtlMs?: number;
  /** How many verified keys are kept in memory at most (default 10,000). */
  cacheSize?: number;
}

/** What to create. */
export interface CreateApiKeyInput {
  projectId: string;
  name: string;
  scopes?: readonly ApiKeyScope[];
  instanceAdmin?: boolean;
  /** A given key instead of a random one (bootstrap automation); must have the `fw_sk_` format. */
  key?: string;
}

/** A new key: the record and the only copy of the secret. */
export interface CreatedApiKey {
  record: ApiKeyRecord;
  key: string;
}

/** Creates, lists, revokes and verifies API keys. */
export interface ApiKeyService {
  /** Creates a key; the returned `key` is shown once and never stored. */
  create(input: CreateApiKeyInput, stores?: StoreSet): Promise<CreatedApiKey>;
  /** The keys of a project. */
  list(projectId: string): Promise<ApiKeyRecord[]>;
  /** Revokes a key of a project; throws `api_key_not_found` when the project has no such key. */
  revoke(projectId: string, keyId: string): Promise<ApiKeyRecord>;
  /**
   * Resolves the key sent by a caller to its record; throws `missing_api_key` or
   * `invalid_api_key` (unknown, malformed and revoked keys are not told apart). `memo`, when
   * given, is the calling connection's (see {@link KeyHashMemo}).
   */
  verify(key: string | undefined, memo?: KeyHashMemo): Promise<ApiKeyRecord>;
  /**
   * A key that only this service instance accepts, kept in memory and never stored: it is not
   * listed, cannot be revoked, and ends with the process (a local `flywheel eval` uses one with
   * the server it embeds, so runs leave no keys behind).
   */
  issueProcessKey(input: Omit<CreateApiKeyInput, 'key' | 'instanceAdmin'>): CreatedApiKey;
}

/**
 * The production API key service.
 *
 * @example
 * const apiKeys = createApiKeyService({ stores, hasher: createHmacKeyHasher(secret) });
 * const { key } = await apiKeys.create({ projectId, name: 'ci', scopes: ['gateway'] });
 */
export function createApiKeyService(deps: ApiKeyServiceDeps): ApiKeyService {
  const now = deps.now ?? (() => new Date());
  const cacheTtlMs = deps.cacheTtlMs ?? 10_000;
  const cacheSize = deps.cacheSize ?? 10_000;
  // Verified keys by hash. A revoke in this process drops the entry at once; one made by another
  // process (the CLI, another server) is seen within cacheTtlMs.
  const verified = new Map<string, { record: ApiKeyRecord; expiresAt: number }>();
  // Keys of this process only, by hash (issueProcessKey).
  const processKeys = new Map<string, ApiKeyRecord>();

  function newRecord(input: CreateApiKeyInput, key: string): ApiKeyRecord {
    const scopes = [...new Set(input.scopes ?? apiKeyScopes)];
    return {
      id: newId('key'),
      projectId: input.projectId,
      name: input.name,
      hash: deps.hasher.hash(key),
      ...apiKeyDisplayParts(key),
      scopes: apiKeyScopes.filter((scope) => scopes.includes(scope)),
      instanceAdmin: input.instanceAdmin ?? false,
      createdAt: now().toISOString(),
      revokedAt: null,
    };
  }

  function remember(record: ApiKeyRecord): void {
    if (verified.size >= cacheSize) {
      const oldest = verified.keys().next().value;
      if (oldest !== undefined) verified.delete(oldest);
    }
    verified.set(record.hash, { record, expiresAt: now().getTime() + cacheTtlMs });
  }

  return {
    async create(input, stores = deps.stores) {
      const key = input.key ?? generateApiKey();
      if (!isApiKeyFormat(key)) {
        throw new FlywheelError(
          'invalid_setting',
          `An API key must be '${apiKeyPrefix}' followed by at least 43 characters of A-Z, a-z, 0-9, '-' or '_'.`,
        );
      }
      const record = newRecord(input, key);
      await stores.apiKeys.create(record);
      return { record, key };
    },

    issueProcessKey(input) {
      const key = generateApiKey();
      const record = newRecord(input, key);
      processKeys.set(record.hash, record);
      return { record, key };
    },

    list(projectId) {
      return deps.stores.apiKeys.list(projectId);
    },

    async revoke(projectId, keyId) {
      const record = await deps.stores.apiKeys.revoke(projectId, keyId, now().toISOString());
      if (!record) throw new FlywheelError('api_key_not_found', `Project has no API key with id '${keyId}'.`);
      verified.delete(record.hash);
      return record;
    },

    async verify(key, memo) {
      if (key === undefined || key.trim() === '') {
        throw new FlywheelError(
          'missing_api_key',
          'Send your API key as the header `Authorization: Bearer fw_sk_…`.',
        );
      }
      if (!isApiKeyFormat(key)) {
        throw new FlywheelError(
          'invalid_api_key',
          `The API key is malformed: Flywheel keys start with '${apiKeyPrefix}'.`,
        );
      }
      let hash: string;
      if (memo !== undefined && memo.key === key && memo.hash !== undefined) hash = memo.hash;
      else {
        hash = deps.hasher.hash(key);
        if (memo !== undefined) {
          memo.key = key;
          memo.hash = hash;
        }
      }
      const processKey = processKeys.get(hash);
      if (processKey) return processKey;
      const cached = verified.get(hash);
      if (cached && cached.expiresAt > now().getTime()) return cached.record;
      verified.delete(hash);
      const record = await deps.stores.apiKeys.findByHash(hash);
      // The lookup is by an HMAC the caller cannot compute, so its timing reveals nothing;
      // the comparison below keeps the final check constant-time all the same.
      if (!record || !constantTimeEqual(record.hash, hash) || record.revokedAt !== null) {
        throw new FlywheelError('invalid_api_key', 'The API key is unknown or has been revoked.');
      }
      remember(record);
      return record;
    },
  };
}
