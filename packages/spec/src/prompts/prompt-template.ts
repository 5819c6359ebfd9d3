/**
 * Prompt templates: a safe, logic-less subset of Mustache. Templates are written by prompt
 * authors and variables come from callers, so neither side can make the other run code: there
 * are no expressions, no partials, no helpers, and lookups never leave the data they were given.
 *
 * The language:
 * - `{{name}}`, `{{customer.name}}`, `{{ name }}`: a variable. A name is segments of
 *   `[A-Za-z_][A-Za-z0-9_-]*` joined by `.`; `{{.}}` is the current item inside a section (outside
 *   any, all the variables).
 *   `{{{name}}}` and `{{& name}}` mean the same as `{{name}}`: prompts are not HTML, so nothing
 *   is ever escaped.
 * - `{{#name}}…{{/name}}`: a section. An array renders the body once per item (the item is
 *   looked up first); an object renders it once with the object looked up first; another truthy
 *   value renders it once; `false`, `null`, `''`, `0`, a missing value or `[]` render nothing.
 * - `{{^name}}…{{/name}}`: an inverted section, rendered only when the value is falsy or `[]`.
 * - `{{! a comment }}` renders nothing.
 * - `\{{` is how to write a literal `{{`: the backslash is dropped and the braces are text (so
 *   `\{{name}}` renders `{{name}}`). There is no other escape; `\\{{` renders `\{{`.
 * - Everything else is text, rendered exactly as written, newlines included (tags on their own
 *   line are not trimmed). Jinja `{% %}`, `${x}` and `<%= %>` are plain text.
 * - Refused when parsing (`template_invalid`, with line and column): partials `{{> x}}`,
 *   delimiter changes `{{=<% %>=}}`, a tag that is not a name (`{{ 7*7 }}`, `{{user name}}`,
 *   `{{}}`), an unclosed `{{`, an unclosed, mismatched or stray section tag, and sections nested
 *   deeper than 32.
 *
 * Lookup: the first segment of a name is searched in the items of the enclosing sections, from
 * the innermost out, then in the variables; later segments look inside the value found. Only own
 * data properties of objects and arrays count, never the prototype chain, so `{{constructor}}`
 * or `{{__proto__}}` is missing unless the data really has such a key.
 *
 * Values: strings as is; numbers, booleans and bigints through `String`; `null` as `''`; objects
 * and arrays as JSON. A function (or a getter) is refused: templates never call code. Values are
 * inserted as text and never parsed again, so a value containing `{{secret}}` stays literal.
 *
 * Missing variables fail the render (`template_variables_missing`, naming all of them) unless
 * rendering is lenient, when they render as `''` and missing sections count as falsy.
 */
import type { PromptMessage, PromptTemplate } from '../api/prompts.js';
import { maxTemplateChars } from '../api/prompts.js';
import { FlywheelError } from '../errors/flywheel-error.js';

/** A reason a template does not parse; `line` and `column` (1-based) point at the tag. */
export interface TemplateIssue {
  message: string;
  line: number;
  column: number;
}

/** A parsed template: text, a variable, or a (possibly inverted) section holding more nodes. */
export type TemplateNode =
  | { type: 'text'; text: string }
  | { type: 'variable'; name: string; line: number; column: number }
  | {
      type: 'section';
      name: string;
      inverted: boolean;
      children: TemplateNode[];
      line: number;
      column: number;
    };

type SectionNode = Extract<TemplateNode, { type: 'section' }>;

/** A template that parsed, with the variables it needs from the caller. */
export interface ParsedTemplate {
  nodes: TemplateNode[];
  /**
   * Root names (first segment) of the tags and sections outside any section, in order of first
   * use. Names used only inside a section are left out: they may be fields of its items.
   */
  variables: string[];
}

/** Options of {@link renderTemplate} and {@link compileTemplate}. */
export interface RenderOptions {
  /** Missing variables render as empty instead of failing. */
  lenient?: boolean;
  /** Cap on output characters (default 1_000_000); past it: `template_render_failed`. */
  maxOutputChars?: number;
}

const maxSectionDepth = 32;
const defaultMaxOutputChars = 1_000_000;
/** Nodes visited plus section items; bounds the work of nested sections that print nothing. */
const maxRenderSteps = 10_000_000;
/** A template full of mistakes should not make an error as big as itself. */
const maxIssues = 50;
// Segments cannot contain `.`, so each character has one reading: the match is linear.
const namePattern = /^(?:\.|[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)$/;
const nameHelp = 'a name is letters, digits, _ and - joined by dots, e.g. `{{customer.name}}`';
const literalHelp = 'write `\\{{` for a literal `{{`';

/**
 * Parses a template. Never throws for bad syntax: it returns every issue found (up to 50).
 *
 * @example
 * const result = parseTemplate('Hello {{user.name}}{{#items}} - {{title}}{{/items}}');
 * if (result.ok) result.template.variables; // ['user', 'items']
 * else result.issues; // [{ message, line, column }, …]
 */
export function parseTemplate(
  source: string,
): { ok: true; template: ParsedTemplate } | { ok: false; issues: TemplateIssue[] } {
  const issues: TemplateIssue[] = [];
  const root: TemplateNode[] = [];
  const open: SectionNode[] = [];
  // A Set keeps first-use order and stays linear with many distinct names.
  const variables = new Set<string>();
  const positionOf = positionTracker(source);
  let nodes = root;
  const report = (message: string, at: { line: number; column: number }) => {
    if (issues.length < maxIssues) issues.push({ message, line: at.line, column: at.column });
  };
  const addText = (text: string) => {
    if (text === '') return;
    const last = nodes[nodes.length - 1];
    if (last?.type === 'text') last.text += text;
    else nodes.push({ type: 'text', text });
  };
  const use = (name: string) => {
    if (open.length === 0 && name !== '.') variables.add(name.split('.', 1)[0]!);
  };

  let pos = 0;
  while (pos < source.length) {
    const start = source.indexOf('{{', pos);
    if (start === -1) {
      addText(source.slice(pos));
      break;
    }
    if (start > pos && source[start - 1] === '\\') {
      addText(`${source.slice(pos, start - 1)}{{`);
      pos = start + 2;
      continue;
    }
    addText(source.slice(pos, start));
    const at = positionOf(start);
    const triple = source.startsWith('{{{', start);
    const closer = triple ? '}}}' : '}}';
    const end = source.indexOf(closer, start + closer.length);
    let content = end === -1 ? '' : source.slice(start + closer.length, end);
    // `{{name … {{next}}`: this tag was left open. Going on from the last `{{` before the `}}`
    // keeps the next tag, and scans each character a bounded number of times.
    const inner = content.trimStart().startsWith('!') ? -1 : content.lastIndexOf('{{');
    if (end === -1 || inner !== -1) {
      report(`\`{{\` is never closed: add \`${closer}\` after the name, or ${literalHelp}`, at);
      if (end === -1) break; // nothing after it can be read reliably
      pos = start + closer.length + inner;
      continue;
    }
    pos = end + closer.length;
    const tag = shorten(source.slice(start, pos));
    content = content.trim();
    const sigil = triple ? '' : content.charAt(0);
    if (sigil === '!') continue;
    if (sigil === '>') {
      report(`\`${tag}\`: partials are not supported; paste the text in instead`, at);
      continue;
    }
    if (sigil === '=') {
      report(`\`${tag}\`: changing delimiters is not supported; ${literalHelp}`, at);
      continue;
    }
    if (sigil !== '' && '&#^/'.includes(sigil)) content = content.slice(1).trim();
    if (!namePattern.test(content)) {
      report(`\`${tag}\` is not a variable name: ${nameHelp}; ${literalHelp}`, at);
      continue;
    }
    if (sigil === '#' || sigil === '^') {
      use(content);
      const section: SectionNode = {
        type: 'section',
        name: content,
        inverted: sigil === '^',
        children: [],
        ...at,
      };
      nodes.push(section);
      open.push(section);
      nodes = section.children;
      if (open.length > maxSectionDepth) {
        report(`sections nest deeper than ${maxSectionDepth} levels: flatten the template`, at);
        // Stopping keeps the stack (and every later lookup in it) small; the rest adds nothing.
        open.length = 0;
        break;
      }
    } else if (sigil === '/') {
      const innermost = open[open.length - 1];
      if (innermost === undefined) {
        report(
          `\`{{/${content}}}\` closes no open section: remove it, or open one with \`{{#${content}}}\``,
          at,
        );
        continue;
      }
      const index = open.findLastIndex((section) => section.name === content);
      if (index !== open.length - 1) {
        const where = `${innermost.line}:${innermost.column}`;
        report(
          `\`{{/${content}}}\` closes ${openTag(innermost)} opened at ${where}; close it with \`{{/${innermost.name}}}\``,
          at,
        );
      }
      // Closing an outer section closes the ones inside it; an unknown name is taken as a typo
      // for the innermost one. Either way one mistake makes one issue, not a cascade.
      open.length = index === -1 ? open.length - 1 : index;
      nodes = open[open.length - 1]?.children ?? root;
    } else {
      use(content);
      nodes.push({ type: 'variable', name: content, ...at });
    }
  }
  for (const section of open)
    report(`${openTag(section)} is never closed: add \`{{/${section.name}}}\``, section);
  // Unclosed sections are found last but belong where they opened.
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  return issues.length > 0
    ? { ok: false, issues }
    : { ok: true, template: { nodes: root, variables: [...variables] } };
}

/**
 * Throws `template_invalid` unless the template (a text, or every chat message's content)
 * parses and fits {@link maxTemplateChars}. The message names the line, column and fix, and for
 * chat which message (`messages[2]`); `details.issues` lists every issue.
 *
 * @example
 * checkTemplate([{ role: 'user', content: '{{#a}}x{{/b}}' }]);
 * // FlywheelError template_invalid: Template messages[0] does not parse at line 1, column 8: …
 */
export function checkTemplate(template: PromptTemplate): void {
  // The same limit as the API's schema, for callers that skip it (rendering does not check it).
  const total =
    typeof template === 'string'
      ? template.length
      : template.reduce((sum, { content }) => sum + content.length, 0);
  if (total > maxTemplateChars)
    throw new FlywheelError(
      'template_invalid',
      `The template is ${total} characters long; templates may have at most ${maxTemplateChars}.`,
    );
  parseAll(template);
}

/**
 * Variables (root names) the template uses, in order of first use, deduplicated across all chat
 * messages. Throws like {@link checkTemplate} on bad syntax.
 *
 * @example
 * templateVariables([{ role: 'system', content: 'You help {{user}}.' }, { role: 'user', content: '{{question}} {{user}}' }]);
 * // ['user', 'question']
 */
export function templateVariables(template: PromptTemplate): string[] {
  const names = new Set<string>();
  for (const parsed of parseAll(template)) for (const name of parsed.variables) names.add(name);
  return [...names];
}

/**
 * Renders a string template. Throws `template_invalid` when it does not parse,
 * `template_variables_missing` (naming all of them) unless lenient, and `template_render_failed`
 * for a function value or output past `maxOutputChars`.
 *
 * @example
 * renderTemplate('Hi {{user.name}}:{{#items}} {{.}}{{/items}}', { user: { name: 'Ada' }, items: ['a', 'b'] });
 * // 'Hi Ada: a b'
 */
export function renderTemplate(
  source: string,
  variables: Record<string, unknown>,
  options: RenderOptions = {},
): string {
  return compileTemplate(source, variables, options) as string;
}

/**
 * Renders a prompt template: a string for a text template, a new array of `{ role, content }`
 * for a chat template. Missing variables are collected across all messages, and the output cap
 * counts all of them together.
 *
 * @example
 * compileTemplate([{ role: 'user', content: 'Summarise {{doc}}' }], { doc: 'the report' });
 * // [{ role: 'user', content: 'Summarise the report' }]
 */
export function compileTemplate(
  template: PromptTemplate,
  variables: Record<string, unknown>,
  options: RenderOptions = {},
): string | PromptMessage[] {
  const parsed = parseAll(template);
  const state: RenderState = {
    lenient: options.lenient ?? false,
    maxOutputChars: options.maxOutputChars ?? defaultMaxOutputChars,
    length: 0,
    steps: 0,
    missing: new Set(),
  };
  const rendered = parsed.map((one) => {
    const out: string[] = [];
    renderNodes(one.nodes, [variables], state, out);
    return out.join('');
  });
  if (state.missing.size > 0) {
    const missing = [...state.missing];
    throw new FlywheelError(
      'template_variables_missing',
      `Missing variables: ${missing.join(', ')}. Pass them, or render leniently.`,
      { details: { missing } },
    );
  }
  if (typeof template === 'string') return rendered[0]!;
  return template.map((message, index) => ({ role: message.role, content: rendered[index]! }));
}

/** Parses a text template or every chat message, throwing `template_invalid` at the first failure. */
function parseAll(template: PromptTemplate): ParsedTemplate[] {
  const isText = typeof template === 'string';
  const sources = isText ? [template] : template.map((message) => message.content);
  return sources.map((source, index) => {
    const result = parseTemplate(source);
    if (result.ok) return result.template;
    const [first] = result.issues;
    const where = isText ? 'Template' : `Template messages[${index}]`;
    const more = result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : '';
    throw new FlywheelError(
      'template_invalid',
      `${where} does not parse at line ${first!.line}, column ${first!.column}: ${first!.message}${more}.`,
      { details: isText ? { issues: result.issues } : { issues: result.issues, message_index: index } },
    );
  });
}

interface RenderState {
  lenient: boolean;
  maxOutputChars: number;
  length: number;
  steps: number;
  missing: Set<string>;
}

function renderNodes(nodes: TemplateNode[], stack: unknown[], state: RenderState, out: string[]): void {
  for (const node of nodes) {
    step(state);
    if (node.type === 'text') {
      emit(node.text, state, out);
      continue;
    }
    const found = lookup(node.name, stack);
    if (found === undefined && !state.lenient) state.missing.add(node.name);
    const value = found?.value;
    if (node.type === 'variable') {
      if (found !== undefined) emit(stringify(node.name, value), state, out);
      continue;
    }
    const empty = !value || (Array.isArray(value) && value.length === 0);
    // A missing name still renders an inverted body, so a strict render reports the names in it too.
    if (node.inverted || empty) {
      if (node.inverted && empty) renderNodes(node.children, stack, state, out);
    } else if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        step(state);
        stack.push(value[index]);
        renderNodes(node.children, stack, state, out);
        stack.pop();
      }
    } else if (typeof value === 'object') {
      stack.push(value);
      renderNodes(node.children, stack, state, out);
      stack.pop();
    } else renderNodes(node.children, stack, state, out);
  }
}

/**
 * Finds a name on the context stack (innermost first), reading only own data properties so a
 * template can never reach `constructor`, `__proto__` or anything else it was not given.
 * `undefined` when missing: the first frame holding the first segment decides (as in Mustache),
 * and an own property holding `undefined` counts as missing.
 */
function lookup(name: string, stack: unknown[]): { value: unknown } | undefined {
  if (name === '.') return present(name, stack[stack.length - 1]);
  const [first, ...rest] = name.split('.') as [string, ...string[]];
  let found: { value: unknown } | undefined;
  for (let depth = stack.length - 1; depth >= 0 && found === undefined; depth--)
    found = ownValue(stack[depth], first, first);
  let path = first;
  for (const segment of rest) {
    if (found === undefined) return undefined;
    refuseFunction(path, found.value);
    path += `.${segment}`;
    found = ownValue(found.value, segment, path);
  }
  return found === undefined ? undefined : present(name, found.value);
}

function present(path: string, value: unknown): { value: unknown } | undefined {
  if (value === undefined) return undefined;
  refuseFunction(path, value);
  return { value };
}

function ownValue(holder: unknown, key: string, path: string): { value: unknown } | undefined {
  if (holder === null || typeof holder !== 'object') return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(holder, key);
  if (descriptor === undefined) return undefined;
  // Reading an accessor would run its getter: code the template would be calling.
  if (!('value' in descriptor))
    throw renderFailed(`variable ${path} is a getter; templates never call code. Pass plain data instead.`);
  return { value: descriptor.value };
}

function refuseFunction(path: string, value: unknown): void {
  if (typeof value === 'function')
    throw renderFailed(`variable ${path} is a function; templates never call code. Pass its result instead.`);
}

function stringify(path: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw renderFailed(`variable ${path} cannot be written as JSON (${reason}); pass plain data.`, error);
  }
}

function renderFailed(message: string, cause?: unknown): FlywheelError {
  return new FlywheelError('template_render_failed', message, cause === undefined ? {} : { cause });
}

function emit(text: string, state: RenderState, out: string[]): void {
  state.length += text.length;
  if (state.length > state.maxOutputChars)
    throw renderFailed(
      `The rendered template is longer than ${state.maxOutputChars} characters; pass shorter values or fewer items, or raise maxOutputChars.`,
    );
  out.push(text);
}

function step(state: RenderState): void {
  if (++state.steps > maxRenderSteps)
    throw renderFailed(
      `Rendering the template takes more than ${maxRenderSteps} steps (sections over large lists); pass fewer items.`,
    );
}

function openTag(section: SectionNode): string {
  return `\`{{${section.inverted ? '^' : '#'}${section.name}}}\``;
}

/** Keeps messages short when a tag is long (the tag may be most of the template). */
function shorten(tag: string): string {
  return tag.length > 40 ? `${tag.slice(0, 37)}…` : tag;
}

/** Line and column of offsets, scanning forward only once for increasing offsets. */
function positionTracker(source: string): (offset: number) => { line: number; column: number } {
  let scanned = 0;
  let line = 1;
  let lineStart = 0;
  return (offset) => {
    for (; scanned < offset; scanned++) {
      if (source.charCodeAt(scanned) === 10) {
        line++;
        lineStart = scanned + 1;
      }
    }
    return { line, column: offset - lineStart + 1 };
  };
}
