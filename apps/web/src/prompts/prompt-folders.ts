/** A folder of prompts (a name prefix up to a `/`) and how many prompts are in it, subfolders included. */
export interface PromptFolder {
  /** `support` or `support/billing`. */
  path: string;
  count: number;
}

/**
 * Every folder the names make, parents included, in alphabetical order. Folders are the name's
 * segments before its last `/`, as the API's `folder` filter reads them.
 *
 * @example
 * promptFolders(['support/triage', 'support/billing/refund', 'summarise']);
 * // [{ path: 'support', count: 2 }, { path: 'support/billing', count: 1 }]
 */
export function promptFolders(names: readonly string[]): PromptFolder[] {
  const counts = new Map<string, number>();
  for (const name of names) {
    const segments = name.split('/');
    for (let depth = 1; depth < segments.length; depth++) {
      const path = segments.slice(0, depth).join('/');
      counts.set(path, (counts.get(path) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .map(([path, count]) => ({ path, count }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Whether a prompt is in a folder (at any depth below it). */
export function isInFolder(name: string, folder: string): boolean {
  return name.startsWith(`${folder}/`);
}
