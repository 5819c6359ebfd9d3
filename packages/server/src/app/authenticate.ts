import type { ApiKeyRecord, ApiKeyService } from '@flywheel/core';
import { type ApiKeyScope, FlywheelError } from '@flywheel/spec';
import type { FastifyRequest } from 'fastify';

/** Who is calling: the verified key and the project it acts in. */
export interface AuthContext {
  key: ApiKeyRecord;
  projectId: string;
}

/** Verifies the `Authorization: Bearer <key>` header of a request. */
export async function authenticate(request: FastifyRequest, apiKeys: ApiKeyService): Promise<AuthContext> {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') return apiKeys.verify(undefined).then(toContext);
  const match = /^Bearer(?:\s+(.*))?$/i.exec(header.trim());
  if (!match) {
    throw new FlywheelError(
      'invalid_api_key',
      'Send the key as `Authorization: Bearer fw_sk_…` (the Bearer scheme).',
    );
  }
  return toContext(await apiKeys.verify(match[1]?.trim() ?? ''));
}

function toContext(key: ApiKeyRecord): AuthContext {
  return { key, projectId: key.projectId };
}

/** Throws `insufficient_scope` unless the key has `scope`. */
export function requireScope(auth: AuthContext, scope: ApiKeyScope): void {
  if (!auth.key.scopes.includes(scope)) {
    throw new FlywheelError(
      'insufficient_scope',
      `This needs an API key with the '${scope}' scope; this key has: ${auth.key.scopes.join(', ') || 'none'}.`,
    );
  }
}

/** Throws `instance_admin_required` unless the key is an instance admin. */
export function requireInstanceAdmin(auth: AuthContext): void {
  if (!auth.key.instanceAdmin) {
    throw new FlywheelError(
      'instance_admin_required',
      'Only an instance-admin key (such as the bootstrap key) may do this.',
    );
  }
}
