import type { Stores } from '@flywheel/core';
import {
  checkOutboundUrl,
  createGuardedLookup,
  createUndiciTransport,
  type HttpTransport,
  type UrlPolicy,
} from '@flywheel/providers';
import { FlywheelError, type LanguageModel } from '@flywheel/spec';
import type { SecretBox } from '../secrets/secret-box.js';
import type { TargetConfig } from '../settings/gateway-config.js';
import { createLanguageModel } from './language-model-factory.js';

interface Entry {
  model: LanguageModel;
  transport: HttpTransport;
  expiresAt: number;
}

/** Models built from credentials stored through `/api/providers`, per project. */
export interface CredentialModels {
  resolve(projectId: string, target: TargetConfig, connectMs: number): Promise<LanguageModel>;
  /** Forgets every model of a project (its credentials changed). */
  invalidate(projectId: string): void;
  close(): Promise<void>;
}

/**
 * Builds and caches models for stored credentials. Their base URLs came from API callers, so
 * they are checked again here (an IP literal never reaches DNS) and every connection goes
 * through a guarded lookup that refuses private addresses unless allowlisted.
 */
export function createCredentialModels(options: {
  stores: Stores;
  secretBox: SecretBox | undefined;
  policy: UrlPolicy;
  ttlMs?: number;
}): CredentialModels {
  const ttlMs = options.ttlMs ?? 10_000;
  const entries = new Map<string, Entry>();
  const lookup = createGuardedLookup(options.policy);
  const drop = (key: string) => {
    const entry = entries.get(key);
    entries.delete(key);
    void entry?.transport.close().catch(() => undefined);
  };
  return {
    async resolve(projectId, target, connectMs) {
      const name = target.credential!;
      const key = `${projectId}\n${name}\n${target.provider}\n${target.model}\n${connectMs}`;
      const cached = entries.get(key);
      if (cached && cached.expiresAt > Date.now()) return cached.model;
      if (cached) drop(key);
      const credential = await options.stores.providerCredentials.getByName(projectId, name);
      if (!credential) {
        throw new FlywheelError(
          'provider_not_found',
          `The model uses the stored provider credential '${name}', which this project does not have. Add it with POST /api/providers.`,
        );
      }
      if (!options.secretBox) {
        throw new FlywheelError(
          'encryption_key_missing',
          'Stored provider keys need FLYWHEEL_ENCRYPTION_KEY to be decrypted; set it on the server.',
        );
      }
      if (credential.baseUrl) checkOutboundUrl(credential.baseUrl, options.policy);
      const transport = createUndiciTransport({ connectTimeoutMs: connectMs, lookup });
      const model = createLanguageModel(
        {
          provider: credential.provider,
          model: target.model,
          baseUrl: credential.baseUrl ?? undefined,
          apiKey: options.secretBox.decrypt(credential.apiKeySealed, credential.id),
          headers: target.headers,
        },
        transport,
      );
      entries.set(key, { model, transport, expiresAt: Date.now() + ttlMs });
      return model;
    },
    invalidate(projectId) {
      for (const key of [...entries.keys()]) if (key.startsWith(`${projectId}\n`)) drop(key);
    },
    async close() {
      for (const key of [...entries.keys()]) drop(key);
    },
  };
}
