const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A timestamp of the API in the reader's local time. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/**
 * A JSON value in one line for a table cell: strings as they are, anything else as compact JSON;
 * cut to `maxLength` characters. Always text, never markup.
 */
export function summarizeJson(value: unknown, maxLength = 120): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
