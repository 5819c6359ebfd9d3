/** The part of `Storage` the session needs (window.sessionStorage, or a map in tests). */
export type SessionStorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Who is signed in: the API key, and the project an instance-admin key chose to act in. */
export interface StoredSession {
  apiKey: string;
  /** Set when an instance-admin key switched to another project; undefined: the key's own. */
  projectId: string | undefined;
}

const keyItem = 'flywheel.apiKey';
const projectItem = 'flywheel.projectId';

/**
 * Reads the session from storage. Session storage is per tab and cleared when the tab closes:
 * the key is never written anywhere that outlives it.
 */
export function readSession(storage: SessionStorageLike): StoredSession | undefined {
  const apiKey = storage.getItem(keyItem);
  if (!apiKey) return undefined;
  return { apiKey, projectId: storage.getItem(projectItem) ?? undefined };
}

export function writeSession(storage: SessionStorageLike, session: StoredSession | undefined): void {
  if (!session) {
    storage.removeItem(keyItem);
    storage.removeItem(projectItem);
    return;
  }
  storage.setItem(keyItem, session.apiKey);
  if (session.projectId === undefined) storage.removeItem(projectItem);
  else storage.setItem(projectItem, session.projectId);
}

/** A storage in memory, for tests and for browsers that refuse session storage. */
export function createMemoryStorage(): SessionStorageLike {
  const items = new Map<string, string>();
  return {
    getItem: (name) => items.get(name) ?? null,
    setItem: (name, value) => void items.set(name, value),
    removeItem: (name) => void items.delete(name),
  };
}
