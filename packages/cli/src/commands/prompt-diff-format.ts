import type { ConfigChangeBody, DiffLineBody, PromptDiffBody } from '@flywheel/spec';

/** Lines of unchanged text shown around each change, as `diff -u` does. */
const contextLines = 3;

/**
 * A diff of two prompt versions as text: the template as a unified diff (`---`/`+++`, `@@` hunks
 * with 3 lines of context), then the config changes (`~ temperature: 0.2 → 0.7`).
 *
 * @example
 * formatPromptDiff(await client.prompts.diff('support/triage', 'production', '4'), 'production', '4');
 */
export function formatPromptDiff(diff: PromptDiffBody, from: string, to: string): string {
  const side = (ref: string, version: number) =>
    `${diff.name}@${ref}${ref === String(version) ? '' : ` (version ${version})`}`;
  const out = [`--- ${side(from, diff.from.version)}`, `+++ ${side(to, diff.to.version)}`];
  const hunks = formatHunks(diff.template.lines);
  out.push(...(hunks.length > 0 ? hunks : ['(the templates are the same)']));
  out.push('');
  if (diff.config.length === 0) {
    out.push('Config: no changes.');
  } else {
    out.push('Config:', ...diff.config.map(formatConfigChange));
  }
  return `${out.join('\n')}\n`;
}

/** One config change: `~ path: from → to`, `+ path: to` or `- path`. */
export function formatConfigChange(change: ConfigChangeBody): string {
  switch (change.change) {
    case 'added':
      return `+ ${change.path}: ${formatValue(change.to)}`;
    case 'removed':
      return `- ${change.path}`;
    case 'changed':
      return `~ ${change.path}: ${formatValue(change.from)} → ${formatValue(change.to)}`;
  }
}

function formatValue(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

interface NumberedLine {
  line: DiffLineBody;
  /** Lines of the old (new) side before this one. */
  oldBefore: number;
  newBefore: number;
}

function formatHunks(lines: readonly DiffLineBody[]): string[] {
  // Positions come from the server's line numbers where it gives them, so a diff that leaves out
  // unchanged stretches still gets the right hunk headers.
  let oldBefore = 0;
  let newBefore = 0;
  const numbered: NumberedLine[] = lines.map((line) => {
    if (line.from_line !== null) oldBefore = line.from_line - 1;
    if (line.to_line !== null) newBefore = line.to_line - 1;
    const entry = { line, oldBefore, newBefore };
    if (line.op !== 'add') oldBefore++;
    if (line.op !== 'remove') newBefore++;
    return entry;
  });
  const changes = numbered.flatMap((entry, index) => (entry.line.op === 'equal' ? [] : [index]));
  const out: string[] = [];
  let start = 0;
  while (start < changes.length) {
    // Changes closer than twice the context share a hunk, as their contexts would overlap.
    let end = start;
    while (end + 1 < changes.length && changes[end + 1]! - changes[end]! <= 2 * contextLines + 1) end++;
    const first = Math.max(0, changes[start]! - contextLines);
    const last = Math.min(numbered.length - 1, changes[end]! + contextLines);
    const hunk = numbered.slice(first, last + 1);
    const oldCount = hunk.filter((entry) => entry.line.op !== 'add').length;
    const newCount = hunk.filter((entry) => entry.line.op !== 'remove').length;
    const oldStart = hunk[0]!.oldBefore + (oldCount > 0 ? 1 : 0);
    const newStart = hunk[0]!.newBefore + (newCount > 0 ? 1 : 0);
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const { line } of hunk) out.push(`${{ equal: ' ', add: '+', remove: '-' }[line.op]}${line.text}`);
    start = end + 1;
  }
  return out;
}
