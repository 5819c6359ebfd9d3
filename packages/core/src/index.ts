export type { ApiKeyRecord } from './api-keys/api-key.js';
export {
  apiKeyPrefix,
  constantTimeEqual,
  formatApiKeyDisplay,
  generateApiKey,
  isApiKeyFormat,
} from './api-keys/api-key-format.js';
export type {
  ApiKeyService,
  ApiKeyServiceDeps,
  CreateApiKeyInput,
  CreatedApiKey,
  KeyHasher,
} from './api-keys/api-key-service.js';
export { createApiKeyService } from './api-keys/api-key-service.js';
export type { BootstrapOptions, BootstrapResult } from './bootstrap/bootstrap-instance.js';
export { bootstrapInstance } from './bootstrap/bootstrap-instance.js';
export { newId } from './ids/new-id.js';
export type { ApiKeyStore } from './ports/api-key-store.js';
export type { InstanceStore } from './ports/instance-store.js';
export type { ProjectStore } from './ports/project-store.js';
export type { StoreSet, Stores } from './ports/stores.js';
export type { Project } from './projects/project.js';
