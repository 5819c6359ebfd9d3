import { newId, type ProviderCredential } from '@flywheel/core';
import {
  createProviderCredentialRequestSchema,
  FlywheelError,
  type ProviderCredentialBody,
} from '@flywheel/spec';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps, ProviderCredentialDeps } from '../app/app-deps.js';
import { requireScope } from '../app/authenticate.js';
import { parseInput } from '../app/validation.js';

const idParams = z.strictObject({ id: z.string().min(1).max(100) });

/**
 * `/api/providers`: provider credentials stored per project (admin scope). Keys are encrypted
 * at rest with FLYWHEEL_ENCRYPTION_KEY and never shown again; base URLs are checked against
 * SSRF rules here and again at every connection.
 */
export function registerProviderRoutes(
  app: FastifyInstance,
  deps: AppDeps,
  providers: ProviderCredentialDeps,
) {
  app.post('/api/providers', async (request, reply) => {
    requireScope(request.auth, 'admin');
    const input = parseInput(createProviderCredentialRequestSchema, request.body, 'body');
    if (!providers.secretBox) {
      throw new FlywheelError(
        'encryption_key_missing',
        'Storing provider keys needs FLYWHEEL_ENCRYPTION_KEY (32 random bytes, e.g. `openssl rand -base64 32`) set on the server.',
      );
    }
    if (input.provider === 'openai-compatible' && !input.base_url) {
      throw new FlywheelError(
        'validation_failed',
        'Invalid request body: body.base_url: is required for openai-compatible providers.',
      );
    }
    const baseUrl =
      input.base_url === undefined ? null : providers.checkUrl(input.base_url).toString().replace(/\/+$/, '');
    const id = newId('cred');
    const credential: ProviderCredential = {
      id,
      projectId: request.auth.projectId,
      name: input.name,
      provider: input.provider,
      baseUrl,
      // The id is bound as associated data, so a sealed key cannot be moved to another row.
      apiKeySealed: providers.secretBox.encrypt(input.api_key, id),
      apiKeyDisplay: displayKey(input.api_key),
      createdAt: new Date().toISOString(),
    };
    await deps.stores.providerCredentials.create(credential);
    providers.onChange(credential.projectId);
    return reply.status(201).send(toBody(credential));
  });

  app.get('/api/providers', async (request) => {
    requireScope(request.auth, 'admin');
    return { data: (await deps.stores.providerCredentials.list(request.auth.projectId)).map(toBody) };
  });

  app.delete('/api/providers/:id', async (request, reply) => {
    requireScope(request.auth, 'admin');
    const { id } = parseInput(idParams, request.params, 'params');
    if (!(await deps.stores.providerCredentials.delete(request.auth.projectId, id))) {
      throw new FlywheelError(
        'provider_not_found',
        `This project has no provider credential with id '${id}'.`,
      );
    }
    providers.onChange(request.auth.projectId);
    return reply.status(204).send();
  });
}

function displayKey(key: string): string {
  return key.length >= 12 ? `${key.slice(0, 4)}…${key.slice(-4)}` : '…';
}

function toBody(credential: ProviderCredential): ProviderCredentialBody {
  return {
    id: credential.id,
    name: credential.name,
    provider: credential.provider,
    base_url: credential.baseUrl,
    api_key_display: credential.apiKeyDisplay,
    created_at: credential.createdAt,
  };
}
