import type { ApiKeyRecord } from '../api-keys/api-key.js';

/** Storage of API keys. Every method but `findByHash` is scoped by project. */
export interface ApiKeyStore {
  /** Stores a new key. */
  create(key: ApiKeyRecord): Promise<void>;
  /** The key with this id in this project, if any. */
  get(projectId: string, keyId: string): Promise<ApiKeyRecord | undefined>;
  /** The keys of a project, revoked ones included, oldest first. */
  list(projectId: string): Promise<ApiKeyRecord[]>;
  /**
   * Marks a key revoked (idempotent: a revoked key keeps its first revocation time).
   * Returns the key, or undefined when the project has no key with this id.
   */
  revoke(projectId: string, keyId: string, revokedAt: string): Promise<ApiKeyRecord | undefined>;
  /**
   * The key whose hash this is, in any project: authentication is how the project is found,
   * so this is the one lookup that cannot be scoped by project.
   */
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
}
