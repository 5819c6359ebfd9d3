import { type PromptTemplate, parseTemplate, type TemplateIssue, templateVariables } from '@flywheel/spec';

/** One reason a template does not parse, with the chat message it is in (0-based) for chat templates. */
export interface TemplateProblem extends TemplateIssue {
  messageIndex: number | undefined;
}

/** What the editor shows under a template: the variables it needs, or why it does not parse. */
export type TemplateCheck = { ok: true; variables: string[] } | { ok: false; problems: TemplateProblem[] };

/**
 * Checks a template as the server will when it is saved (the same parser): every issue with its
 * line and column, or the variables, in order of first use across all messages.
 *
 * @example
 * checkTemplateSource('Hi {{name}}'); // { ok: true, variables: ['name'] }
 * checkTemplateSource('Hi {{name'); // { ok: false, problems: [{ line: 1, column: 4, message: '`{{` is never closed…' }] }
 */
export function checkTemplateSource(template: PromptTemplate): TemplateCheck {
  const sources = typeof template === 'string' ? [template] : template.map((message) => message.content);
  const problems: TemplateProblem[] = [];
  sources.forEach((source, index) => {
    const parsed = parseTemplate(source);
    if (!parsed.ok) {
      const messageIndex = typeof template === 'string' ? undefined : index;
      for (const issue of parsed.issues) problems.push({ ...issue, messageIndex });
    }
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, variables: templateVariables(template) };
}

/** "Message 2, line 1, column 5: …" or "Line 1, column 5: …". */
export function describeProblem(problem: TemplateProblem): string {
  const where = `line ${problem.line}, column ${problem.column}`;
  return problem.messageIndex === undefined
    ? `Line ${problem.line}, column ${problem.column}: ${problem.message}`
    : `Message ${problem.messageIndex + 1}, ${where}: ${problem.message}`;
}
