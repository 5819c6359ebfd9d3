import { createHash } from 'node:crypto';
import {
  createGatewayEngine,
  createMemoryResponseCache,
  createPromptService,
  type GatewayTraceSink,
  type ModelRoute,
  type PriceTable,
  type RouteTarget,
  type Stores,
} from '@flywheel/core';
import { checkOutboundUrl, createUndiciTransport, type HttpTransport } from '@flywheel/providers';
import type { ProviderCredentialDeps } from '../app/app-deps.js';
import type { GatewayDeps } from '../gateway/gateway-deps.js';
import { createSecretBox, parseEncryptionKey } from '../secrets/secret-box.js';
import type { Settings } from '../settings/settings.js';
import { createCredentialModels } from './credential-models.js';
import { createLanguageModel } from './language-model-factory.js';

/** The gateway and its parts, built from settings; `close()` flushes traces and frees sockets. */
export interface BuiltGateway {
  gateway: GatewayDeps;
  providerCredentials: ProviderCredentialDeps;
  close(): Promise<void>;
}

/**
 * Builds the gateway from the config file's `models`: one keep-alive pool per configured target
 * (config targets are the operator's own and are trusted), stored credentials resolved per
 * project and the response cache; traces go to the sink it is given.
 */
export function buildGateway(
  settings: Settings,
  stores: Stores,
  tracing: { sink: GatewayTraceSink; prices: PriceTable },
): BuiltGateway {
  const policy = { allowedHosts: settings.allowedHosts };
  const secretBox =
    settings.encryptionKey === undefined
      ? undefined
      : createSecretBox(parseEncryptionKey(settings.encryptionKey));
  const credentialModels = createCredentialModels({ stores, secretBox, policy });
  const transports: HttpTransport[] = [];

  const routes = new Map<string, ModelRoute>();
  for (const model of settings.gateway.models) {
    const targets: RouteTarget[] = model.targets.map((target, index) => {
      const base = {
        id: `${model.name}#${index}`,
        provider: target.provider,
        modelId: target.model,
        weight: target.weight,
      };
      if (target.credential !== undefined) {
        return {
          ...base,
          resolve: (projectId: string) =>
            credentialModels.resolve(projectId, target, model.timeouts.connectMs),
        };
      }
      const transport = createUndiciTransport({ connectTimeoutMs: model.timeouts.connectMs });
      transports.push(transport);
      const languageModel = createLanguageModel(
        {
          provider: target.provider,
          model: target.model,
          baseUrl: target.baseUrl,
          apiKey: target.apiKey,
          headers: target.headers,
        },
        transport,
      );
      return { ...base, resolve: async () => languageModel };
    });
    routes.set(model.name, {
      name: model.name,
      targets,
      fallbacks: model.fallbacks,
      retry: model.retry,
      timeouts: model.timeouts,
      ...(model.cache ? { cache: model.cache } : {}),
      streamUsage: model.streamUsage,
    });
  }

  return {
    gateway: {
      engine: createGatewayEngine({ routes, breaker: settings.gateway.breaker }),
      prompts: createPromptService({ stores }),
      cache: createMemoryResponseCache({ maxBytes: settings.gateway.cache.maxBytes }),
      cacheDefaultTtlSeconds: settings.gateway.cache.defaultTtlSeconds,
      sink: tracing.sink,
      prices: tracing.prices,
      hashKey: (text) => createHash('sha256').update(text).digest('hex'),
    },
    providerCredentials: {
      secretBox,
      checkUrl: (url) => checkOutboundUrl(url, policy),
      onChange: (projectId) => credentialModels.invalidate(projectId),
    },
    async close() {
      await credentialModels.close();
      await Promise.all(transports.map((transport) => transport.close().catch(() => undefined)));
    },
  };
}
