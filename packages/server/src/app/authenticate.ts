import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyRecord, ApiKeyService, KeyHashMemo, ProjectStore } from '@flywheel/core';
import { type ApiKeyScope, FlywheelError } from '@flywheel/spec';

/** Who is calling: the verified key and the project it acts in. */
export interface AuthContext {
  key: ApiKeyRecord;
  projectId: string;
}

/** The header an instance-admin key names another project to act in with (the UI's project switcher). */
const projectHeader = 'x-flywheel-project';

/** Each connection's last key and its hash (see `KeyHashMemo`); gone with the connection. */
const connectionMemos = new WeakMap<object, KeyHashMemo>();

function memoOf(socket: object | null | undefined): KeyHashMemo | undefined {
  if (!socket) return undefined;
  let memo = connectionMemos.get(socket);
  if (memo === undefined) {
    memo = {};
    connectionMemos.set(socket, memo);
  }
  return memo;
}

/**
 * Verifies the `Authorization: Bearer <key>` header of a request, and picks the project it acts
 * in: the key's own, or for an instance-admin key the one `x-flywheel-project` names. Any other
 * key naming another project gets the 404 a project it cannot see always gets. `socket` is the
 * request's connection, where the last key's hash is remembered.
 */
export async function authenticate(
  headers: IncomingHttpHeaders,
  socket: object | null | undefined,
  apiKeys: ApiKeyService,
  projects: ProjectStore,
): Promise<AuthContext> {
  const header = headers.authorization;
  let key: ApiKeyRecord;
  if (header === undefined || header.trim() === '') {
    key = await apiKeys.verify(undefined);
  } else {
    const match = /^Bearer(?:\s+(.*))?$/i.exec(header.trim());
    if (!match) {
      throw new FlywheelError(
        'invalid_api_key',
        'Send the key as `Authorization: Bearer fw_sk_…` (the Bearer scheme).',
      );
    }
    key = await apiKeys.verify(match[1]?.trim() ?? '', memoOf(socket));
  }
  const named = headers[projectHeader];
  if (named === undefined || named === key.projectId) return { key, projectId: key.projectId };
  if (typeof named !== 'string' || named.length === 0 || named.length > 200) {
    throw new FlywheelError(
      'validation_failed',
      `Send at most one \`${projectHeader}\` header with a project id.`,
    );
  }
  if (!key.instanceAdmin || !(await projects.get(named))) {
    throw new FlywheelError('project_not_found', `No project with id '${named}' is visible to this API key.`);
  }
  return { key, projectId: named };
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
