import { type ApiKeyRecord, formatApiKeyDisplay, type Project } from '@flywheel/core';
import type { ApiKeyBody, ProjectBody } from '@flywheel/spec';

/** A project as the REST API shows it. */
export function toProjectBody(project: Project): ProjectBody {
  return { id: project.id, name: project.name, created_at: project.createdAt };
}

/** An API key as the REST API shows it: never the hash, only prefix…suffix. */
export function toApiKeyBody(key: ApiKeyRecord): ApiKeyBody {
  return {
    id: key.id,
    project_id: key.projectId,
    name: key.name,
    display: formatApiKeyDisplay(key),
    scopes: key.scopes,
    instance_admin: key.instanceAdmin,
    created_at: key.createdAt,
    revoked_at: key.revokedAt,
  };
}
