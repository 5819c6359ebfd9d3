import type { Project, ProjectStore } from '@flywheel/core';
import type { Selectable } from 'kysely';
import type { ProjectsTable } from '../schema/database-schema.js';
import type { StorageContext } from './storage-context.js';

/** The Kysely project store. */
export function createProjectStore({ db, run }: StorageContext): ProjectStore {
  return {
    async create(project) {
      await run(() =>
        db
          .insertInto('projects')
          .values({ id: project.id, name: project.name, created_at: project.createdAt })
          .execute(),
      );
    },
    async get(projectId) {
      const row = await run(() =>
        db.selectFrom('projects').selectAll().where('id', '=', projectId).executeTakeFirst(),
      );
      return row && toProject(row);
    },
    async list() {
      const rows = await run(() =>
        db.selectFrom('projects').selectAll().orderBy('created_at').orderBy('id').execute(),
      );
      return rows.map(toProject);
    },
  };
}

function toProject(row: Selectable<ProjectsTable>): Project {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}
