import type { ProviderCredential } from '../providers/provider-credential.js';

/** Storage of provider credentials, scoped by project. */
export interface ProviderCredentialStore {
  /** Stores a credential; throws a FlywheelError `conflict` when the project has one of that name. */
  create(credential: ProviderCredential): Promise<void>;
  list(projectId: string): Promise<ProviderCredential[]>;
  getByName(projectId: string, name: string): Promise<ProviderCredential | undefined>;
  /** Deletes a credential; false when the project has none with this id. */
  delete(projectId: string, credentialId: string): Promise<boolean>;
}
