import { describe, expect, it } from 'vitest';
import { createPriceTable } from '../costs/price-table.js';
import { capPayload } from './cap-payload.js';
import { eventsToBatch } from './ingest-events.js';

describe('trace payload cap', () => {
  it('measures and cuts in UTF-8 bytes, not characters', () => {
    const capped = capPayload({ text: '€'.repeat(200) }, 300);
    expect(capped.truncated).toBe(true);
    const preview = (capped.value as { preview: string }).preview;
    expect(new TextEncoder().encode(preview).length).toBeLessThanOrEqual(300);
    expect(preview).not.toContain('\uFFFD');
    expect(capPayload({ text: 'short' }, 300)).toEqual({ value: { text: 'short' }, truncated: false });
    // Just over the cap in bytes, though well under it in characters.
    expect(capPayload('é'.repeat(150), 300).truncated).toBe(true);
    expect(capPayload(undefined, 300)).toEqual({ value: null, truncated: false });
  });
});

describe('ingested timestamps', () => {
  const prices = createPriceTable([]);
  const spanAt = (start_time: string, timestamp?: string) =>
    eventsToBatch(
      [
        {
          id: 'evt-1',
          type: 'span-create',
          ...(timestamp === undefined ? {} : { timestamp }),
          body: { id: 'span-1', trace_id: 'trace-1', name: 'step', start_time },
        },
      ],
      { projectId: 'p', receivedAt: '2026-01-01T00:00:00.000Z', maxPayloadBytes: 1000, prices },
    );

  it('are stored as ISO-8601 UTC with milliseconds, whatever form they came in', () => {
    const { batch, results } = spanAt('2026-03-04T05:06:07+02:00', '2026-03-04T03:06:07Z');
    expect(results).toEqual([{ index: 0, id: 'evt-1', ok: true }]);
    expect(batch.spans[0]?.startTime).toBe('2026-03-04T03:06:07.000Z');
    expect(batch.spans[0]?.eventTime).toBe('2026-03-04T03:06:07.000Z');
    expect(spanAt('2026-03-04T03:06:07.123Z').batch.spans[0]?.startTime).toBe('2026-03-04T03:06:07.123Z');
  });

  it('keep the 29th to the 31st of months that have them, and refuse days that do not exist', () => {
    expect(spanAt('2024-02-29T00:00:00.000Z').batch.spans[0]?.startTime).toBe('2024-02-29T00:00:00.000Z');
    expect(spanAt('2026-07-31T23:59:59.999Z').batch.spans[0]?.startTime).toBe('2026-07-31T23:59:59.999Z');
    const refused = spanAt('2025-02-29T10:00:00.000Z');
    expect(refused.batch.spans).toEqual([]);
    expect(refused.results[0]).toMatchObject({ ok: false, code: 'validation_failed' });
  });
});
