import {
  type LabelMoveRecord,
  type PromptActor,
  type PromptRecord,
  type PromptStore,
  type PromptVersionRecord,
  versionConflict,
} from '@flywheel/core';
import { FlywheelError, latestLabel, type PromptType } from '@flywheel/spec';
import { type Selectable, sql } from 'kysely';
import type { PromptsTable, PromptVersionsTable } from '../schema/database-schema.js';
import type { StorageContext } from './storage-context.js';

/**
 * The Kysely prompt store. Every write first updates the prompt's row, so on PostgreSQL the row
 * lock orders concurrent saves and label moves of one prompt (SQLite has a single writer).
 */
export function createPromptStore({ db, run }: StorageContext): PromptStore {
  async function findPrompt(projectId: string, name: string) {
    return run(() =>
      db
        .selectFrom('prompts')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('name', '=', name)
        .executeTakeFirst(),
    );
  }

  async function labelsOf(promptIds: string[]): Promise<Map<string, Record<string, number>>> {
    const byPrompt = new Map<string, Record<string, number>>();
    if (promptIds.length === 0) return byPrompt;
    const rows = await run(() =>
      db
        .selectFrom('prompt_labels')
        .select(['prompt_id', 'label', 'version'])
        .where('prompt_id', 'in', promptIds)
        .orderBy('label')
        .execute(),
    );
    for (const row of rows) {
      const labels = byPrompt.get(row.prompt_id) ?? {};
      labels[row.label] = Number(row.version);
      byPrompt.set(row.prompt_id, labels);
    }
    return byPrompt;
  }

  async function move(
    promptId: string,
    label: string,
    version: number | null,
    actor: PromptActor,
    at: string,
  ): Promise<LabelMoveRecord | null> {
    const current = await run(() =>
      db
        .selectFrom('prompt_labels')
        .select('version')
        .where('prompt_id', '=', promptId)
        .where('label', '=', label)
        .executeTakeFirst(),
    );
    const from = current === undefined ? null : Number(current.version);
    if (from === version) return null;
    if (version === null) {
      await run(() =>
        db.deleteFrom('prompt_labels').where('prompt_id', '=', promptId).where('label', '=', label).execute(),
      );
    } else {
      await run(() =>
        db
          .insertInto('prompt_labels')
          .values({ prompt_id: promptId, label, version })
          .onConflict((conflict) => conflict.columns(['prompt_id', 'label']).doUpdateSet({ version }))
          .execute(),
      );
    }
    const last = await run(() =>
      db
        .selectFrom('prompt_label_moves')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('prompt_id', '=', promptId)
        .executeTakeFirst(),
    );
    await run(() =>
      db
        .insertInto('prompt_label_moves')
        .values({
          prompt_id: promptId,
          seq: Number(last?.seq ?? 0) + 1,
          label,
          from_version: from,
          to_version: version,
          moved_by_key_id: actor.keyId,
          moved_by_key_name: actor.keyName,
          moved_at: at,
        })
        .execute(),
    );
    return { label, fromVersion: from, toVersion: version, movedBy: { ...actor }, movedAt: at };
  }

  async function toVersions(
    prompt: Selectable<PromptsTable>,
    rows: Array<Selectable<PromptVersionsTable>>,
  ): Promise<PromptVersionRecord[]> {
    const labels = (await labelsOf([prompt.id])).get(prompt.id) ?? {};
    return rows.map((row) => toVersion(prompt, row, labels));
  }

  return {
    async createVersion(input) {
      await run(() =>
        db
          .insertInto('prompts')
          .values({
            id: input.promptId,
            project_id: input.projectId,
            name: input.name,
            type: input.type,
            latest_version: 0,
            created_at: input.createdAt,
            updated_at: input.createdAt,
          })
          .onConflict((conflict) => conflict.columns(['project_id', 'name']).doNothing())
          .execute(),
      );
      // Incrementing the counter takes the row lock: concurrent saves of this prompt wait here,
      // and a failed save rolls its number back, so numbers never skip.
      const prompt = await run(() =>
        db
          .updateTable('prompts')
          .set((eb) => ({ latest_version: eb('latest_version', '+', 1), updated_at: input.createdAt }))
          .where('project_id', '=', input.projectId)
          .where('name', '=', input.name)
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      if (prompt.type !== input.type) {
        throw new FlywheelError(
          'conflict',
          `Prompt '${input.name}' is a ${prompt.type} prompt; a new version must also be ${prompt.type}.`,
        );
      }
      const version = Number(prompt.latest_version);
      const previous = version === 1 ? null : version - 1;
      if (input.baseVersion !== undefined && previous !== input.baseVersion) {
        throw versionConflict(input.name, previous, input.baseVersion);
      }
      await run(() =>
        db
          .insertInto('prompt_versions')
          .values({
            prompt_id: prompt.id,
            version,
            template: JSON.stringify(input.template),
            config: JSON.stringify(input.config),
            commit_message: input.commitMessage,
            variables: JSON.stringify(input.variables),
            created_by_key_id: input.actor.keyId,
            created_by_key_name: input.actor.keyName,
            created_at: input.createdAt,
          })
          .execute(),
      );
      for (const label of [latestLabel, ...input.labels]) {
        await move(prompt.id, label, version, input.actor, input.createdAt);
      }
      const labels = (await labelsOf([prompt.id])).get(prompt.id) ?? {};
      return {
        projectId: input.projectId,
        name: input.name,
        type: input.type,
        version,
        template: structuredClone(input.template),
        config: structuredClone(input.config),
        commitMessage: input.commitMessage,
        variables: [...input.variables],
        labels: labelsAt(labels, version),
        createdBy: { ...input.actor },
        createdAt: input.createdAt,
      };
    },

    async listPrompts(projectId, options) {
      let query = db.selectFrom('prompts').selectAll().where('project_id', '=', projectId);
      if (options.folder !== undefined) {
        // substr, not LIKE: names may contain `_`, which LIKE treats as a wildcard.
        const prefix = `${options.folder.replace(/\/+$/, '')}/`;
        query = query.where(sql<string>`substr(name, 1, ${prefix.length})`, '=', prefix);
      }
      const rows = await run(() => query.orderBy('name').limit(options.limit).execute());
      const labels = await labelsOf(rows.map((row) => row.id));
      return rows.map((row) => toPrompt(row, labels.get(row.id) ?? {}));
    },

    async getPrompt(projectId, name) {
      const row = await findPrompt(projectId, name);
      if (!row) return undefined;
      return toPrompt(row, (await labelsOf([row.id])).get(row.id) ?? {});
    },

    async getVersion(projectId, name, ref) {
      const prompt = await findPrompt(projectId, name);
      if (!prompt) return undefined;
      let number: number | undefined;
      if ('version' in ref) {
        number = ref.version;
      } else {
        const label = await run(() =>
          db
            .selectFrom('prompt_labels')
            .select('version')
            .where('prompt_id', '=', prompt.id)
            .where('label', '=', ref.label)
            .executeTakeFirst(),
        );
        number = label && Number(label.version);
      }
      if (number === undefined) return undefined;
      const row = await run(() =>
        db
          .selectFrom('prompt_versions')
          .selectAll()
          .where('prompt_id', '=', prompt.id)
          .where('version', '=', number)
          .executeTakeFirst(),
      );
      return row && (await toVersions(prompt, [row]))[0];
    },

    async listVersions(projectId, name) {
      const prompt = await findPrompt(projectId, name);
      if (!prompt) return [];
      const rows = await run(() =>
        db
          .selectFrom('prompt_versions')
          .selectAll()
          .where('prompt_id', '=', prompt.id)
          .orderBy('version', 'desc')
          .execute(),
      );
      return toVersions(prompt, rows);
    },

    async moveLabel(projectId, name, label, version, actor, at) {
      const prompt = await run(() =>
        db
          .updateTable('prompts')
          .set({ updated_at: at })
          .where('project_id', '=', projectId)
          .where('name', '=', name)
          .returning(['id', 'latest_version'])
          .executeTakeFirst(),
      );
      if (!prompt) throw new FlywheelError('prompt_not_found', `This project has no prompt named '${name}'.`);
      const latest = Number(prompt.latest_version);
      if (version !== null && version > latest) {
        throw new FlywheelError(
          'prompt_not_found',
          `Prompt '${name}' has no version ${version} (its newest is ${latest}).`,
        );
      }
      const moved = await move(prompt.id, label, version, actor, at);
      if (moved === null && version === null) {
        throw new FlywheelError('prompt_not_found', `Prompt '${name}' has no label '${label}'.`);
      }
      return moved;
    },

    async listLabelMoves(projectId, name) {
      const rows = await run(() =>
        db
          .selectFrom('prompt_label_moves')
          .innerJoin('prompts', 'prompts.id', 'prompt_label_moves.prompt_id')
          .selectAll('prompt_label_moves')
          .where('prompts.project_id', '=', projectId)
          .where('prompts.name', '=', name)
          .orderBy('prompt_label_moves.seq', 'desc')
          .execute(),
      );
      return rows.map((row) => ({
        label: row.label,
        fromVersion: row.from_version === null ? null : Number(row.from_version),
        toVersion: row.to_version === null ? null : Number(row.to_version),
        movedBy: { keyId: row.moved_by_key_id, keyName: row.moved_by_key_name },
        movedAt: row.moved_at,
      }));
    },

    async getProtectedLabels(projectId) {
      const row = await run(() =>
        db
          .selectFrom('prompt_settings')
          .select('protected_labels')
          .where('project_id', '=', projectId)
          .executeTakeFirst(),
      );
      return row ? (JSON.parse(row.protected_labels) as string[]) : [];
    },

    async setProtectedLabels(projectId, labels) {
      const value = JSON.stringify(labels);
      await run(() =>
        db
          .insertInto('prompt_settings')
          .values({ project_id: projectId, protected_labels: value })
          .onConflict((conflict) => conflict.column('project_id').doUpdateSet({ protected_labels: value }))
          .execute(),
      );
    },
  };
}

function labelsAt(labels: Record<string, number>, version: number): string[] {
  return Object.entries(labels)
    .filter(([, target]) => target === version)
    .map(([label]) => label)
    .sort();
}

function toPrompt(row: Selectable<PromptsTable>, labels: Record<string, number>): PromptRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    type: row.type as PromptType,
    latestVersion: Number(row.latest_version),
    labels,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toVersion(
  prompt: Selectable<PromptsTable>,
  row: Selectable<PromptVersionsTable>,
  labels: Record<string, number>,
): PromptVersionRecord {
  const version = Number(row.version);
  return {
    projectId: prompt.project_id,
    name: prompt.name,
    type: prompt.type as PromptType,
    version,
    template: JSON.parse(row.template),
    config: JSON.parse(row.config),
    commitMessage: row.commit_message,
    variables: JSON.parse(row.variables),
    labels: labelsAt(labels, version),
    createdBy: { keyId: row.created_by_key_id, keyName: row.created_by_key_name },
    createdAt: row.created_at,
  };
}
