import {
  FlywheelError,
  type PromptConfig,
  type PromptMessage,
  type PromptTemplate,
  type PromptType,
  parseTemplate,
  promptConfigSchema,
  promptMessageRoleSchema,
  promptMessageSchema,
  promptNameSchema,
  promptTypeSchema,
  type TemplateIssue,
} from '@flywheel/spec';
import { isMap, isScalar, LineCounter, type Node, parseDocument, stringify } from 'yaml';
import type { z } from 'zod';

/**
 * A prompt as a `.prompt.md` file: YAML front matter between `---` lines, then the template.
 *
 * ```
 * ---
 * name: support/triage
 * type: chat
 * version: 3
 * labels: [latest, production]
 * config:
 *   temperature: 0.2
 * ---
 * === system ===
 * Triage tickets for {{product}}.
 * === user ===
 * {{ticket}}
 * ```
 *
 * A text template is the body minus exactly one trailing newline; a chat template is blocks that
 * each open with a `=== role ===` line. When a message's content itself holds such a line, the
 * messages go into the front matter (`messages:`) instead and the body stays empty, so every
 * template survives a write and a read byte for byte.
 */
export interface PromptFile {
  /** The prompt's name; required to push, optional for `prompts create --file`. */
  name: string | undefined;
  /** `text` or `chat`; the front matter's, else chat when it has `messages:`, else text. */
  type: PromptType;
  /** The version the file was pulled at: the base of the next push. Null for a new prompt. */
  version: number | null;
  /** Labels on that version when pulled; informational, never pushed. */
  labels: string[];
  /** How the prompt is called (model, temperature, …); `{}` when the front matter has none. */
  config: PromptConfig;
  /** The template, byte for byte as saved on the server. */
  template: PromptTemplate;
}

/** Extension of prompt files; `pull` writes `<name>.prompt.md` and `push` reads them. */
export const promptFileExtension = '.prompt.md';

const frontMatterKeys = ['name', 'type', 'version', 'labels', 'config', 'messages'] as const;
// Also what counts as "looks like a marker" when deciding to move messages into the front matter,
// so a body that is written is always read back the same way.
const markerPattern = /^===[ \t]*(\S+?)[ \t]*===\r?$/;
const markerLines = /^===[ \t]*(\S+?)[ \t]*===\r?$/gm;

/** Options of {@link parsePromptFile}. */
export interface ParsePromptFileOptions {
  /** The type when the front matter names none (default: `chat` with `messages:`, else `text`). */
  defaultType?: PromptType;
}

/**
 * Reads a prompt file. A file without front matter is just a template. Throws `validation_failed`
 * with `<path>:<line>: …` for anything it does not understand.
 *
 * @example
 * const file = parsePromptFile(readFileSync(path, 'utf8'), path);
 */
export function parsePromptFile(
  text: string,
  path: string,
  options: ParsePromptFileOptions = {},
): PromptFile {
  const fail = (line: number, message: string): never => {
    throw new FlywheelError('validation_failed', `${path}:${line}: ${message}`);
  };
  const { frontMatter, body, bodyLine } = splitPromptFile(text, fail);
  const fields = frontMatter === null ? {} : readFrontMatter(frontMatter, fail);

  const messages = fields.messages;
  const type = fields.type ?? options.defaultType ?? (messages ? 'chat' : 'text');
  let template: PromptTemplate;
  if (messages) {
    if (type !== 'chat') fail(messages.line, "'messages' is for chat prompts; this one is type text");
    if (body.trim() !== '') {
      fail(bodyLine, "give the messages either in the front matter ('messages:') or in the body, not both");
    }
    template = messages.value;
    messages.value.forEach((message, index) => {
      const issue = templateIssue(message.content);
      if (issue) {
        fail(
          messages.line,
          `messages[${index}] (${message.role}) does not parse at its line ${issue.line}, column ${issue.column}: ${issue.message}`,
        );
      }
    });
  } else if (type === 'chat') {
    const blocks = parseChatBody(body, bodyLine, fail);
    for (const block of blocks) {
      const issue = templateIssue(block.content);
      if (issue) {
        fail(
          block.line + issue.line - 1,
          `template does not parse at column ${issue.column}: ${issue.message}`,
        );
      }
    }
    template = blocks.map(({ role, content }) => ({ role, content }));
  } else {
    template = body.endsWith('\n') ? body.slice(0, -1) : body;
    const issue = templateIssue(template);
    if (issue)
      fail(bodyLine + issue.line - 1, `template does not parse at column ${issue.column}: ${issue.message}`);
  }
  return {
    name: fields.name,
    type,
    version: fields.version ?? null,
    labels: fields.labels ?? [],
    config: fields.config ?? {},
    template,
  };
}

/**
 * Writes a prompt file that {@link parsePromptFile} reads back to the same prompt.
 *
 * @example
 * writeFileSync('triage.prompt.md', serializePromptFile({ name: 'support/triage', type: 'text', version: 3, labels: ['latest'], config: {}, template: 'Hi {{name}}' }));
 */
export function serializePromptFile(file: PromptFile): string {
  const chatInBody =
    Array.isArray(file.template) && !file.template.some((message) => hasMarkerLine(message.content));
  const head: Record<string, unknown> = {};
  if (file.name !== undefined) head.name = file.name;
  head.type = file.type;
  if (file.version !== null) head.version = file.version;
  if (file.labels.length > 0) head.labels = file.labels;
  if (Object.keys(file.config).length > 0) head.config = file.config;
  if (Array.isArray(file.template) && !chatInBody) head.messages = file.template;
  let body = '';
  if (typeof file.template === 'string') body = `${file.template}\n`;
  else if (chatInBody) body = formatChatTemplate(file.template);
  return `---\n${stringify(head, { lineWidth: 0 })}---\n${body}`;
}

/**
 * A chat template as text: each message a `=== role ===` line, its content and a newline.
 *
 * @example
 * formatChatTemplate([{ role: 'user', content: 'Hi' }]); // '=== user ===\nHi\n'
 */
export function formatChatTemplate(messages: readonly PromptMessage[]): string {
  return messages.map((message) => `=== ${message.role} ===\n${message.content}\n`).join('');
}

/**
 * The file with its front matter's `version` (and `labels`) replaced, everything else as it was:
 * comments and key order in the front matter, and the body byte for byte.
 */
export function setPromptFileVersion(text: string, path: string, version: number, labels: string[]): string {
  const fail = (line: number, message: string): never => {
    throw new FlywheelError('validation_failed', `${path}:${line}: ${message}`);
  };
  const { frontMatter, body } = splitPromptFile(text, fail);
  const document = parseDocument(frontMatter ?? '');
  document.set('version', version);
  document.set('labels', labels);
  return `---\n${document.toString({ lineWidth: 0 })}---\n${body}`;
}

function hasMarkerLine(content: string): boolean {
  return content.split('\n').some((line) => markerPattern.test(line));
}

type Fail = (line: number, message: string) => never;

function splitPromptFile(
  raw: string,
  fail: Fail,
): { frontMatter: string | null; body: string; bodyLine: number } {
  const text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  const opening = /^---\r?\n/.exec(text);
  if (!opening) return { frontMatter: null, body: text, bodyLine: 1 };
  const closing = /^---\r?$/m;
  const rest = text.slice(opening[0].length);
  const match = closing.exec(rest);
  if (!match) return fail(1, "the front matter opened here is never closed by a '---' line");
  const frontMatter = rest.slice(0, match.index);
  let bodyStart = match.index + match[0].length;
  if (rest[bodyStart] === '\n') bodyStart++;
  const bodyLine = 2 + countNewlines(frontMatter) + 1;
  return { frontMatter, body: rest.slice(bodyStart), bodyLine };
}

interface FrontMatter {
  name?: string;
  type?: PromptType;
  version?: number | null;
  labels?: string[];
  config?: PromptConfig;
  messages?: { value: PromptMessage[]; line: number };
}

function readFrontMatter(source: string, fail: Fail): FrontMatter {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false });
  // The front matter starts on the file's second line.
  const lineOf = (node: { range?: [number, number, number] | null } | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line + 1 : 2;
  const [error] = document.errors;
  if (error)
    fail(
      lineCounter.linePos(error.pos[0]).line + 1,
      `front matter is not valid YAML: ${firstLine(error.message)}`,
    );
  if (document.contents === null) return {};
  if (!isMap(document.contents))
    fail(lineOf(document.contents), 'front matter must be keys and values, e.g. name: support/triage');
  const lines: Record<string, number> = {};
  for (const pair of (document.contents as { items: Array<{ key: unknown }> }).items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    const line = lineOf(pair.key as Node);
    if (typeof key !== 'string' || !(frontMatterKeys as readonly string[]).includes(key)) {
      fail(line, `unknown front matter key ${JSON.stringify(key)} (allowed: ${frontMatterKeys.join(', ')})`);
    }
    lines[key as string] = line;
  }
  const values = document.toJS() as Record<string, unknown>;
  const check = <T extends z.ZodType>(key: string, schema: T, what: string): z.output<T> | undefined => {
    if (values[key] === undefined) return undefined;
    const parsed = schema.safeParse(values[key]);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const node = document.getIn([key, ...issue.path], true) as Node | undefined;
    const where = issue.path.length > 0 ? `${key}.${issue.path.join('.')}` : key;
    return fail(node ? lineOf(node) : lines[key]!, `${where}: ${issue.message}${what ? ` (${what})` : ''}`);
  };
  const result: FrontMatter = {};
  const name = check('name', promptNameSchema, '');
  if (name !== undefined) result.name = name;
  const type = check('type', promptTypeSchema, 'text or chat');
  if (type !== undefined) result.type = type;
  if (values.version !== undefined && values.version !== null) {
    const version = values.version;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
      fail(lines.version!, `version must be a version number (1, 2, …), not ${JSON.stringify(version)}`);
    }
    result.version = version as number;
  }
  const labels = values.labels;
  if (labels !== undefined && labels !== null) {
    if (!Array.isArray(labels) || !labels.every((label) => typeof label === 'string')) {
      fail(lines.labels!, 'labels must be a list of label names, e.g. [latest, production]');
    }
    result.labels = labels as string[];
  }
  const config = check('config', promptConfigSchema, '');
  if (config !== undefined) result.config = config;
  if (values.messages !== undefined) {
    const roles = promptMessageRoleSchema.options.join(', ');
    const messages = check(
      'messages',
      promptMessageSchema.array().min(1, 'a chat template needs at least one message'),
      `each message is role (${roles}) and content`,
    );
    result.messages = { value: messages ?? [], line: lines.messages! };
  }
  return result;
}

/** A message of a chat body, with the file line its content starts on. */
type ChatBlock = PromptMessage & { line: number };

function parseChatBody(body: string, bodyLine: number, fail: Fail): ChatBlock[] {
  const roles = promptMessageRoleSchema.options as readonly string[];
  const markers = [...body.matchAll(markerLines)];
  const firstMarker = markers[0];
  if (!firstMarker) {
    return fail(
      bodyLine,
      `a chat prompt's body is blocks that each start with a line like '=== user ===' (roles: ${roles.join(', ')})`,
    );
  }
  if (body.slice(0, firstMarker.index).trim() !== '') {
    fail(
      bodyLine,
      "text before the first '=== role ===' line; every message starts with one, e.g. '=== system ==='",
    );
  }
  return markers.map((marker, index) => {
    const role = marker[1]!;
    const line = bodyLine + countNewlines(body.slice(0, marker.index));
    if (!roles.includes(role)) fail(line, `unknown role '${role}' (roles: ${roles.join(', ')})`);
    let start = marker.index + marker[0].length;
    if (body[start] === '\n') start++;
    const next = markers[index + 1];
    const content = body.slice(start, next ? next.index : body.length);
    return {
      role: role as PromptMessage['role'],
      content: content.endsWith('\n') ? content.slice(0, -1) : content,
      line: line + 1,
    };
  });
}

// Template syntax errors are found before anything is sent, at the file's own line when they can be.
function templateIssue(content: string): TemplateIssue | undefined {
  const parsed = parseTemplate(content);
  return parsed.ok ? undefined : parsed.issues[0];
}

function countNewlines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}
