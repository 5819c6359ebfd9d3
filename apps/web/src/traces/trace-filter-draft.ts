import { type TraceFilterName, type TraceFilters, traceFilterNames } from './trace-filters.js';

/**
 * What the trace filter form holds between the URL and an Apply: the fields as shown, which of
 * them were typed since they last came from the URL or were applied, and the URL's filters then.
 *
 * The URL can change under the form while someone is typing (Clear filters in the empty state,
 * going back in history). Following the URL field by field, and leaving alone the fields typed
 * since, keeps both: the URL's filters show, and nothing typed is lost.
 */
export interface TraceFilterDraft {
  /** The fields as shown. */
  fields: TraceFilters;
  /** Fields typed since they last came from the URL or were applied. */
  edited: ReadonlySet<TraceFilterName>;
  /** The URL's filters the fields last followed. */
  source: TraceFilters;
}

const nothingEdited: ReadonlySet<TraceFilterName> = new Set();

/** A draft showing the URL's filters as they are. */
export function startTraceFilterDraft(value: TraceFilters): TraceFilterDraft {
  return { fields: value, edited: nothingEdited, source: value };
}

/** The draft with one field typed. */
export function editTraceFilterDraft(
  draft: TraceFilterDraft,
  name: TraceFilterName,
  text: string,
): TraceFilterDraft {
  return {
    ...draft,
    fields: { ...draft.fields, [name]: text },
    edited: new Set([...draft.edited, name]),
  };
}

/**
 * The draft once `applied` is sent to the URL: shown as sent, nothing typed any more, so the URL's
 * own spelling of it (trimmed, tags joined) replaces the fields when it arrives.
 */
export function applyTraceFilterDraft(draft: TraceFilterDraft, applied: TraceFilters): TraceFilterDraft {
  return { ...draft, fields: applied, edited: nothingEdited };
}

/**
 * The draft following the URL's filters `value`: each field not typed since takes the URL's value;
 * a typed one keeps what was typed. The same draft when the URL's filters did not change.
 */
export function syncTraceFilterDraft(draft: TraceFilterDraft, value: TraceFilters): TraceFilterDraft {
  if (sameTraceFilters(draft.source, value)) return draft;
  const fields = { ...draft.fields };
  for (const name of traceFilterNames) {
    if (!draft.edited.has(name)) copyField(fields, value, name);
  }
  return { fields, edited: draft.edited, source: value };
}

/** Whether two sets of filters say the same, field by field. */
export function sameTraceFilters(a: TraceFilters, b: TraceFilters): boolean {
  return traceFilterNames.every((name) => a[name] === b[name]);
}

function copyField<Name extends TraceFilterName>(to: TraceFilters, from: TraceFilters, name: Name): void {
  to[name] = from[name];
}
