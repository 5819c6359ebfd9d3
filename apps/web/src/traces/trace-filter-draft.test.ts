import { describe, expect, it } from 'vitest';
import {
  applyTraceFilterDraft,
  editTraceFilterDraft,
  startTraceFilterDraft,
  syncTraceFilterDraft,
} from './trace-filter-draft.js';
import { emptyTraceFilters } from './trace-filters.js';

const searched = { ...emptyTraceFilters, q: 'no trace says this' };

describe('the trace filter draft', () => {
  it('follows the URL in the fields nobody typed in, and keeps what was typed in the others', () => {
    const typed = editTraceFilterDraft(startTraceFilterDraft(searched), 'tags', 'paged');
    const synced = syncTraceFilterDraft(typed, emptyTraceFilters);
    expect(synced.fields).toEqual({ ...emptyTraceFilters, tags: 'paged' });
    expect(synced.source).toEqual(emptyTraceFilters);
    // A field typed to what the URL had still counts as typed.
    const retyped = editTraceFilterDraft(startTraceFilterDraft(searched), 'q', 'no trace says this');
    expect(syncTraceFilterDraft(retyped, emptyTraceFilters).fields.q).toBe('no trace says this');
  });

  it("takes the URL's spelling of what was applied once it arrives", () => {
    const typed = editTraceFilterDraft(startTraceFilterDraft(emptyTraceFilters), 'session_id', ' s_1 ');
    const sent = applyTraceFilterDraft(typed, typed.fields);
    expect(sent.fields.session_id).toBe(' s_1 ');
    const arrived = syncTraceFilterDraft(sent, { ...emptyTraceFilters, session_id: 's_1' });
    expect(arrived.fields.session_id).toBe('s_1');
    expect(arrived.edited.size).toBe(0);
  });

  it('is the same draft while the URL says the same', () => {
    const draft = editTraceFilterDraft(startTraceFilterDraft(searched), 'user_id', 'u_1');
    expect(syncTraceFilterDraft(draft, { ...searched })).toBe(draft);
  });
});
