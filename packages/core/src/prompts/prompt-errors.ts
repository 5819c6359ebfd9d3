import { FlywheelError } from '@flywheel/spec';

/** The error of a save whose `baseVersion` is not the newest version. */
export function versionConflict(name: string, latest: number | null, base: number | null): FlywheelError {
  return new FlywheelError(
    'prompt_version_conflict',
    latest === null
      ? `Prompt '${name}' does not exist on the server, but the save expected version ${base}; it may have been created elsewhere under another name.`
      : base === null
        ? `Prompt '${name}' already exists (newest version ${latest}); pull it first, then save your change on top.`
        : `Prompt '${name}' has moved on: the newest version is ${latest}, but this change was made on version ${base}. Pull the newest version, re-apply the change, and save again.`,
    { details: { latest_version: latest, base_version: base } },
  );
}
