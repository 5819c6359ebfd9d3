/**
 * The structured diff between two prompt versions: a line diff of the templates and a field diff
 * of the configs. Pure functions; the API shapes them into `PromptDiffBody`.
 */

/** One line of a template diff. Line numbers are 1-based; null on the side that lacks the line. */
export interface DiffLine {
  op: 'equal' | 'add' | 'remove';
  text: string;
  fromLine: number | null;
  toLine: number | null;
}

/** One message of a chat template, as far as the diff cares. */
export interface DiffTemplateMessage {
  role: string;
  content: string;
}

/** A template: a string (`text` prompts) or a list of messages (`chat` prompts). */
export type DiffTemplate = string | DiffTemplateMessage[];

/** One changed config field; `path` is dotted (`response_format.json_schema.name`). */
export interface ConfigChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  /** The old value; absent for `added`. */
  from?: unknown;
  /** The new value; absent for `removed`. */
  to?: unknown;
}

/** The template diff with its counts, and the config diff. */
export interface PromptDiff {
  lines: DiffLine[];
  /** Lines only in the newer template. */
  added: number;
  /** Lines only in the older template. */
  removed: number;
  config: ConfigChange[];
}

/** What of a prompt version the diff compares. */
export interface PromptVersionContent {
  template: DiffTemplate;
  config: Record<string, unknown>;
}

// Myers runs in O((N+M)·D) time and, keeping one frontier per edit step, O(D²) memory. Both caps
// together bound a request to about 20M steps and 1M remembered numbers, whatever the input; past
// them the diff is still correct, only not minimal.
/** Most lines (both sides, after trimming the common prefix and suffix) handed to Myers. */
export const maxMyersLines = 20_000;
/** Most edits (adds plus removes) Myers searches for before giving up. */
export const maxMyersEdits = 1_000;

// Edit operations as small numbers: the script may hold tens of thousands of them.
const equalOp = 0;
const removeOp = 1;
const addOp = 2;
type EditOp = typeof equalOp | typeof removeOp | typeof addOp;

/**
 * Line diff of two texts, by Myers' O((N+M)·D) algorithm (a minimal diff: the equal lines are a
 * longest common subsequence).
 *
 * Texts are split with `split('\n')` semantics: `''` is one empty line, a trailing newline adds a
 * final empty line, and a `\r` stays part of its line. Within each changed region the removed lines
 * come before the added ones. Inputs too large or too different for the bounded search (see
 * `maxMyersLines`, `maxMyersEdits`) get a correct but coarser diff: the common prefix and suffix
 * stay equal and everything between is removed and re-added.
 */
export function diffLines(from: string, to: string): DiffLine[] {
  const fromLines = from.split('\n');
  const toLines = to.split('\n');

  // Trimming first is cheap and makes the usual case (a few edited lines in a long prompt) tiny
  // for Myers, and keeps it under the caps.
  let prefix = 0;
  while (prefix < fromLines.length && prefix < toLines.length && fromLines[prefix] === toLines[prefix]) {
    prefix += 1;
  }
  let suffix = 0;
  while (
    suffix < fromLines.length - prefix &&
    suffix < toLines.length - prefix &&
    fromLines[fromLines.length - 1 - suffix] === toLines[toLines.length - 1 - suffix]
  ) {
    suffix += 1;
  }
  const fromMiddle = fromLines.slice(prefix, fromLines.length - suffix);
  const toMiddle = toLines.slice(prefix, toLines.length - suffix);

  const middleScript =
    fromMiddle.length + toMiddle.length <= maxMyersLines
      ? myersScript(fromMiddle, toMiddle, maxMyersEdits)
      : null;
  const script: EditOp[] = [
    ...new Array<EditOp>(prefix).fill(equalOp),
    ...(middleScript ?? replaceAllScript(fromMiddle.length, toMiddle.length)),
    ...new Array<EditOp>(suffix).fill(equalOp),
  ];
  return linesFromScript(script, fromLines, toLines);
}

/** The fallback script: every `from` line removed, then every `to` line added. */
function replaceAllScript(fromCount: number, toCount: number): EditOp[] {
  return [...new Array<EditOp>(fromCount).fill(removeOp), ...new Array<EditOp>(toCount).fill(addOp)];
}

/**
 * A shortest edit script from `from` to `to` (Myers 1986, forward greedy search), or null when it
 * needs more than `maxEdits` edits.
 */
function myersScript(from: string[], to: string[], maxEdits: number): EditOp[] | null {
  // Lines compared as numbers: string equality inside the snake loop would rescan long lines.
  const lineIds = new Map<string, number>();
  const idOf = (line: string): number => {
    let id = lineIds.get(line);
    if (id === undefined) {
      id = lineIds.size;
      lineIds.set(line, id);
    }
    return id;
  };
  const fromIds = Int32Array.from(from, idOf);
  const toIds = Int32Array.from(to, idOf);
  const fromCount = fromIds.length;
  const toCount = toIds.length;

  // furthest[diagonal + offset]: the furthest `from` index reached on diagonal k = x - y.
  const offset = fromCount + toCount + 1;
  const furthest = new Int32Array(2 * offset + 1);
  // Each step's slice of the frontier (diagonals -d…d), to walk the path back afterwards.
  const frontiers: Int32Array[] = [];
  let editCount = -1;

  search: for (let edits = 0; edits <= Math.min(maxEdits, fromCount + toCount); edits += 1) {
    for (let diagonal = -edits; diagonal <= edits; diagonal += 2) {
      // Step down (an add) from diagonal k+1, or right (a remove) from k-1: whichever got further.
      const stepDown =
        diagonal === -edits ||
        (diagonal !== edits && furthest[offset + diagonal - 1]! < furthest[offset + diagonal + 1]!);
      let x = stepDown ? furthest[offset + diagonal + 1]! : furthest[offset + diagonal - 1]! + 1;
      let y = x - diagonal;
      while (x < fromCount && y < toCount && fromIds[x] === toIds[y]) {
        x += 1;
        y += 1;
      }
      furthest[offset + diagonal] = x;
      if (x >= fromCount && y >= toCount) {
        frontiers.push(furthest.slice(offset - edits, offset + edits + 1));
        editCount = edits;
        break search;
      }
    }
    frontiers.push(furthest.slice(offset - edits, offset + edits + 1));
  }
  if (editCount < 0) return null;

  // Walk back from the end, collecting the script in reverse.
  const reversed: EditOp[] = [];
  let x = fromCount;
  let y = toCount;
  for (let edits = editCount; edits > 0; edits -= 1) {
    const previous = frontiers[edits - 1]!;
    // Index into a frontier of step d: diagonal + d.
    const previousAt = (diagonal: number): number => previous[diagonal + edits - 1]!;
    const diagonal = x - y;
    const stepDown =
      diagonal === -edits || (diagonal !== edits && previousAt(diagonal - 1) < previousAt(diagonal + 1));
    const previousDiagonal = stepDown ? diagonal + 1 : diagonal - 1;
    const previousX = previousAt(previousDiagonal);
    const previousY = previousX - previousDiagonal;
    const snakeStartX = stepDown ? previousX : previousX + 1;
    while (x > snakeStartX) {
      reversed.push(equalOp);
      x -= 1;
      y -= 1;
    }
    reversed.push(stepDown ? addOp : removeOp);
    x = previousX;
    y = previousY;
  }
  // Step 0 is a single snake from the origin: x === y here.
  for (; x > 0; x -= 1) reversed.push(equalOp);
  return reversed.reverse();
}

/** Turns a script into lines, putting each changed region's removes before its adds. */
function linesFromScript(script: EditOp[], fromLines: string[], toLines: string[]): DiffLine[] {
  const lines: DiffLine[] = [];
  let fromIndex = 0;
  let toIndex = 0;
  let position = 0;
  while (position < script.length) {
    if (script[position] === equalOp) {
      lines.push({ op: 'equal', text: fromLines[fromIndex]!, fromLine: fromIndex + 1, toLine: toIndex + 1 });
      fromIndex += 1;
      toIndex += 1;
      position += 1;
      continue;
    }
    // A changed region: count its removes and adds, whatever order the search produced them in.
    let removes = 0;
    let adds = 0;
    while (position < script.length && script[position] !== equalOp) {
      if (script[position] === removeOp) removes += 1;
      else adds += 1;
      position += 1;
    }
    for (let index = 0; index < removes; index += 1) {
      lines.push({ op: 'remove', text: fromLines[fromIndex]!, fromLine: fromIndex + 1, toLine: null });
      fromIndex += 1;
    }
    for (let index = 0; index < adds; index += 1) {
      lines.push({ op: 'add', text: toLines[toIndex]!, fromLine: null, toLine: toIndex + 1 });
      toIndex += 1;
    }
  }
  return lines;
}

/**
 * A template as text for diffing: a text template as is; a chat template as one block per message,
 * `=== role ===` on its own line then the content, blocks joined by `\n`.
 */
export function templateText(template: DiffTemplate): string {
  if (typeof template === 'string') return template;
  return template.map((message) => `=== ${message.role} ===\n${message.content}`).join('\n');
}

/**
 * Field diff of two config objects. Plain objects are recursed into, giving dotted paths
 * (`response_format.json_schema.name`); arrays and scalars are compared as whole values by deep
 * equality, so a changed `tools` array is one `changed` at `tools`. Keys are sorted (by code unit)
 * for stable output. A key holding `undefined` counts as absent, as it would after JSON encoding.
 */
export function diffConfig(from: Record<string, unknown>, to: Record<string, unknown>): ConfigChange[] {
  const changes: ConfigChange[] = [];
  collectConfigChanges(from, to, '', changes);
  return changes;
}

function collectConfigChanges(
  from: Record<string, unknown>,
  to: Record<string, unknown>,
  pathPrefix: string,
  changes: ConfigChange[],
): void {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  for (const key of keys) {
    const path = pathPrefix === '' ? key : `${pathPrefix}.${key}`;
    const fromValue = Object.hasOwn(from, key) ? from[key] : undefined;
    const toValue = Object.hasOwn(to, key) ? to[key] : undefined;
    if (fromValue === undefined && toValue === undefined) continue;
    if (fromValue === undefined) {
      changes.push({ path, change: 'added', to: toValue });
    } else if (toValue === undefined) {
      changes.push({ path, change: 'removed', from: fromValue });
    } else if (isPlainObject(fromValue) && isPlainObject(toValue)) {
      collectConfigChanges(fromValue, toValue, path, changes);
    } else if (!deepEqual(fromValue, toValue)) {
      changes.push({ path, change: 'changed', from: fromValue, to: toValue });
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Equality of JSON values; key order does not matter, and `undefined` keys count as absent. */
function deepEqual(left: unknown, right: unknown): boolean {
  if (Object.is(left, right)) return true;
  if (Array.isArray(left) || Array.isArray(right)) {
    if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return false;
    return left.every((item, index) => deepEqual(item, right[index]));
  }
  if (isPlainObject(left) && isPlainObject(right)) {
    const definedKeys = (object: Record<string, unknown>) =>
      Object.keys(object).filter((key) => object[key] !== undefined);
    const leftKeys = definedKeys(left);
    if (leftKeys.length !== definedKeys(right).length) return false;
    return leftKeys.every((key) => Object.hasOwn(right, key) && deepEqual(left[key], right[key]));
  }
  return false;
}

/** The diff between two prompt versions: their templates as text, line by line, and their configs. */
export function diffPromptVersions(from: PromptVersionContent, to: PromptVersionContent): PromptDiff {
  const lines = diffLines(templateText(from.template), templateText(to.template));
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.op === 'add') added += 1;
    else if (line.op === 'remove') removed += 1;
  }
  return { lines, added, removed, config: diffConfig(from.config, to.config) };
}
