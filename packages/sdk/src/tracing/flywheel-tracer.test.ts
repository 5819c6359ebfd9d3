import type { IngestEvent, SpanBody } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { createFlywheelTracer as createNodeTracer } from '../node/index.js';
import { createFlywheelTracer } from './flywheel-tracer.js';
import { createMemoryExporter } from './memory-exporter.js';

const spansOf = (events: IngestEvent[]) =>
  events.filter((event) => event.type === 'span-create').map((event) => event.body as SpanBody);

describe('flywheel tracer', () => {
  it('nests spans across awaits and concurrent branches on Node (AsyncLocalStorage)', async () => {
    const exporter = createMemoryExporter();
    const tracer = createNodeTracer({ baseUrl: '', apiKey: '', exporter });
    const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
    const result = await tracer.trace({ name: 'job', input: { q: 1 } }, async (trace) => {
      await tick();
      return tracer.span({ name: 'parent' }, async (parent) => {
        await tick();
        const [a, b] = await Promise.all([
          tracer.span({ name: 'a' }, async () => {
            await tick();
            return tracer.span({ name: 'a-child' }, () => 'a');
          }),
          tracer.span({ name: 'b' }, async () => {
            await tick();
            return 'b';
          }),
        ]);
        expect(parent.traceId).toBe(trace.id);
        return `${a}${b}`;
      });
    });
    expect(result).toBe('ab');
    const spans = spansOf(exporter.events);
    const byName = Object.fromEntries(spans.map((span) => [span.name, span]));
    expect(byName.parent!.parent_id).toBeNull();
    expect(byName.a!.parent_id).toBe(byName.parent!.id);
    expect(byName.b!.parent_id).toBe(byName.parent!.id);
    expect(byName['a-child']!.parent_id).toBe(byName.a!.id);
    expect(new Set(spans.map((span) => span.trace_id)).size).toBe(1);
    const traceEnd = exporter.events.filter((event) => event.type === 'trace-update').at(-1)!;
    expect(traceEnd.body).toMatchObject({ output: 'ab' });
    expect(exporter.events.every((event) => typeof event.timestamp === 'string')).toBe(true);
  });

  it('records a thrown error as status error and rethrows it', async () => {
    const exporter = createMemoryExporter();
    const tracer = createNodeTracer({ baseUrl: '', apiKey: '', exporter });
    const failing = tracer.observe(async function lookup(id: number) {
      throw new Error(`no ${id}`);
    });
    await expect(failing(7)).rejects.toThrow('no 7');
    const created = spansOf(exporter.events)[0]!;
    expect(created).toMatchObject({ name: 'lookup', input: [7] });
    const ended = exporter.events.find((event) => event.type === 'span-update')!.body as SpanBody;
    expect(ended).toMatchObject({ status: 'error', status_message: 'Error: no 7' });
  });

  it('sends nothing for a trace sampled out, children included', () => {
    const exporter = createMemoryExporter();
    const tracer = createFlywheelTracer({ baseUrl: '', apiKey: '', exporter, sampleRate: 0 });
    const value = tracer.trace({ name: 'quiet' }, () => tracer.span({ name: 'child' }, () => 42));
    expect(value).toBe(42);
    expect(exporter.events).toEqual([]);
  });

  it('masks inputs, outputs, metadata and attributes before they are queued', () => {
    const exporter = createMemoryExporter();
    const mask = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(/sk-[a-z0-9]+/g, '[key]'));
    const tracer = createFlywheelTracer({ baseUrl: '', apiKey: '', exporter, mask });
    tracer.trace({ name: 't', input: 'use sk-abc123', metadata: { key: 'sk-zzz' } }, () =>
      tracer.span({ name: 's', attributes: { token: 'sk-def456' } }, () => 'answer with sk-qqq'),
    );
    const text = JSON.stringify(exporter.events);
    expect(text).not.toMatch(/sk-[a-z0-9]+/);
    expect(text).toContain('[key]');
  });

  it('nests synchronous spans with the default (browser) context manager, and scores', () => {
    const exporter = createMemoryExporter();
    const tracer = createFlywheelTracer({ baseUrl: '', apiKey: '', exporter });
    tracer.span({ name: 'outer' }, (outer) => {
      tracer.span({ name: 'inner' }, () => undefined);
      tracer.score({
        traceId: outer.traceId,
        spanId: outer.id,
        name: 'helpful',
        value: true,
        source: 'human',
      });
    });
    const [outer, inner] = spansOf(exporter.events);
    expect(inner!.parent_id).toBe(outer!.id);
    expect(exporter.events.find((event) => event.type === 'score-create')?.body).toMatchObject({
      name: 'helpful',
      value: true,
      span_id: outer!.id,
    });
  });
});
