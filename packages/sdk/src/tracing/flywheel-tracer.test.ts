import type { IngestEvent, ScoreBody, SpanBody, TraceBody } from '@flywheel/spec';
import { ingestEventSchema } from '@flywheel/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { createFlywheelTracer as createNodeTracer } from '../node/index.js';
import { type FakeIngestServer, startFakeIngest } from '../testing-internal/fake-ingest-server.js';
import { createFlywheelTracer } from './flywheel-tracer.js';
import { createMemoryExporter } from './memory-exporter.js';
import type { FlywheelTracerOptions } from './tracer-types.js';

const spansOf = (events: IngestEvent[]) =>
  events.filter((event) => event.type === 'span-create').map((event) => event.body as SpanBody);
const endsOf = (events: IngestEvent[]) =>
  events.filter((event) => event.type === 'span-update').map((event) => event.body as SpanBody);
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

function memoryTracer(options: Partial<FlywheelTracerOptions> = {}, node = false) {
  const exporter = createMemoryExporter();
  const create = node ? createNodeTracer : createFlywheelTracer;
  return { exporter, tracer: create({ baseUrl: '', apiKey: '', exporter, ...options }) };
}

const fakes: FakeIngestServer[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

describe('flywheel tracer', () => {
  it('nests spans across awaits and concurrent branches on Node (AsyncLocalStorage)', async () => {
    const { exporter, tracer } = memoryTracer({}, true);
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
            return tracer.generation({ name: 'b-model' }, async () => {
              await tick();
              return 'b';
            });
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
    expect(byName['b-model']).toMatchObject({ parent_id: byName.b!.id, kind: 'generation' });
    expect(new Set(spans.map((span) => span.trace_id)).size).toBe(1);
    const traceEnd = exporter.events.filter((event) => event.type === 'trace-update').at(-1)!;
    expect(traceEnd.body).toMatchObject({ output: 'ab', status: 'ok' });
    expect(tracer.current()).toBeUndefined();
  });

  it('emits events the ingest schema accepts, each dated, later events of a span dated after earlier ones', () => {
    const { exporter, tracer } = memoryTracer({ environment: 'test', release: 'v1' });
    tracer.trace({ name: 't', userId: 'u1', tags: ['a'], metadata: { m: 1 } }, (trace) => {
      const span = trace.generation({ name: 'g', model: 'gpt-4o-mini', input: 'hi' });
      span.update({ attributes: { step: 1 } });
      span.end({
        output: 'yo',
        usage: { inputTokens: 3, outputTokens: 2, cachedInputTokens: 1 },
        cost: 0.01,
      });
      span.score({ name: 'good', value: 1 });
    });
    for (const item of exporter.events) expect(ingestEventSchema.safeParse(item).success).toBe(true);
    expect(exporter.events[0]!.body).toMatchObject({ environment: 'test', release: 'v1', user_id: 'u1' });
    const spanEvents = exporter.events.filter((item) => item.type.startsWith('span-'));
    const times = spanEvents.map((item) => Date.parse(item.timestamp!));
    expect(times).toEqual([...times].sort((left, right) => left - right));
    expect(new Set(times).size).toBe(times.length);
    expect(endsOf(exporter.events).at(-1)).toMatchObject({
      status: 'ok',
      usage: { input_tokens: 3, output_tokens: 2, cached_input_tokens: 1 },
      cost: 0.01,
    });
  });

  it('records a thrown error as status error and rethrows it', async () => {
    const { exporter, tracer } = memoryTracer({}, true);
    const failing = tracer.observe(async function lookup(id: number) {
      throw new Error(`no ${id}`);
    });
    await expect(failing(7)).rejects.toThrow('no 7');
    expect(spansOf(exporter.events)[0]).toMatchObject({ name: 'lookup', input: [7] });
    expect(endsOf(exporter.events)[0]).toMatchObject({ status: 'error', status_message: 'Error: no 7' });
    expect(() =>
      tracer.span({ name: 'sync' }, () => {
        throw new TypeError('bad');
      }),
    ).toThrow('bad');
    expect(endsOf(exporter.events)[1]).toMatchObject({ status: 'error', status_message: 'TypeError: bad' });
  });

  it('observes a function: keeps `this`, records arguments and result, hands back the very promise', async () => {
    const { exporter, tracer } = memoryTracer();
    const counter = {
      base: 10,
      add(step: number) {
        return this.base + step;
      },
    };
    const add = tracer.observe(counter.add, { kind: 'tool' });
    expect(add.call(counter, 5)).toBe(15);
    const promise = Promise.resolve('later');
    const same = tracer.observe(() => promise, { name: 'pass', captureOutput: false });
    expect(same()).toBe(promise);
    await promise;
    const [added, passed] = spansOf(exporter.events);
    expect(added).toMatchObject({ name: 'add', kind: 'tool', input: [5] });
    expect(endsOf(exporter.events)[0]).toMatchObject({ output: 15 });
    expect(passed).toMatchObject({ name: 'pass' });
    expect(endsOf(exporter.events)[1]).not.toHaveProperty('output');
  });

  it('sends nothing for a trace sampled out, children and scores included', () => {
    const { exporter, tracer } = memoryTracer({ sampleRate: 0 });
    const value = tracer.trace({ name: 'quiet' }, (trace) =>
      tracer.span({ name: 'child' }, (span) => {
        span.score({ name: 'x', value: 1 });
        expect(span.sampled).toBe(false);
        expect(span.traceId).toBe(trace.id);
        return 42;
      }),
    );
    expect(value).toBe(42);
    expect(exporter.events).toEqual([]);
  });

  it('decides sampling per trace, so a trace is recorded whole or not at all', () => {
    const { exporter, tracer } = memoryTracer({ sampleRate: 0.5 });
    for (let index = 0; index < 200; index++)
      tracer.trace({ name: 't' }, () =>
        tracer.span({ name: 's' }, () => tracer.span({ name: 'c' }, () => 1)),
      );
    const traces = new Set(
      exporter.events.filter((item) => item.type === 'trace-create').map((item) => item.body.id),
    );
    expect(traces.size).toBeGreaterThan(0);
    expect(traces.size).toBeLessThan(200);
    const spans = spansOf(exporter.events);
    expect(spans).toHaveLength(traces.size * 2);
    expect(spans.every((span) => traces.has(span.trace_id))).toBe(true);
  });

  it('masks inputs, outputs, metadata and attributes before they are queued', () => {
    const mask = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(/sk-[a-z0-9]+/g, '[key]'));
    const { exporter, tracer } = memoryTracer({ mask });
    tracer.trace({ name: 't', input: 'use sk-abc123', metadata: { key: 'sk-zzz' } }, () =>
      tracer.span({ name: 's', attributes: { token: 'sk-def456' } }, () => 'answer with sk-qqq'),
    );
    const text = JSON.stringify(exporter.events);
    expect(text).not.toMatch(/sk-[a-z0-9]+/);
    expect(text).toContain('[key]');
  });

  it('sends "[mask failed]" rather than the value when the mask throws', () => {
    const { exporter, tracer } = memoryTracer({
      mask: () => {
        throw new Error('mask bug');
      },
    });
    tracer.span({ name: 's', input: 'secret' }).end();
    expect(spansOf(exporter.events)[0]!.input).toBe('[mask failed]');
  });

  it('redacts before anything reaches the server, and flush resolves after the acknowledgement', async () => {
    const fake = await startFakeIngest();
    fakes.push(fake);
    const tracer = createNodeTracer({
      baseUrl: fake.url,
      apiKey: 'fw_sk_test',
      mask: (value) => JSON.parse(JSON.stringify(value).replaceAll('4111-1111', '****')),
    });
    await tracer.trace({ name: 'pay', input: { card: '4111-1111' } }, async () => {
      await tick();
      tracer.span({ name: 'charge', input: 'card 4111-1111' }).end({ output: 'charged 4111-1111' });
    });
    const result = await tracer.flush();
    expect(result).toMatchObject({ ok: true, sent: 4 });
    const wire = fake.received.map((request) => request.text).join('');
    expect(wire).not.toContain('4111-1111');
    expect(wire).toContain('****');
    await tracer.shutdown();
  });

  it('nests synchronous spans with the default (browser) context manager, and explicit parents after an await', async () => {
    const { exporter, tracer } = memoryTracer();
    await tracer.span({ name: 'outer' }, async (outer) => {
      tracer.span({ name: 'inner' }, () => undefined);
      await tick();
      // The stack does not follow awaits: name the parent.
      outer.span({ name: 'after-await' }).end();
      tracer.score({
        traceId: outer.traceId,
        spanId: outer.id,
        name: 'helpful',
        value: true,
        source: 'human',
      });
    });
    const [outer, inner, afterAwait] = spansOf(exporter.events);
    expect(inner!.parent_id).toBe(outer!.id);
    expect(afterAwait!.parent_id).toBe(outer!.id);
    expect(exporter.events.find((item) => item.type === 'score-create')?.body as ScoreBody).toMatchObject({
      name: 'helpful',
      value: true,
      span_id: outer!.id,
      source: 'human',
    });
  });

  it('lets a span that starts its own trace end that trace too', () => {
    const { exporter, tracer } = memoryTracer();
    const span = tracer.span({ name: 'lonely' });
    span.end({ error: new Error('boom') });
    span.end({ output: 'ignored' });
    const traceEvents = exporter.events.filter((item) => item.type.startsWith('trace-'));
    expect(traceEvents.map((item) => item.type)).toEqual(['trace-create', 'trace-update']);
    expect(traceEvents[0]!.body as TraceBody).toMatchObject({ name: 'lonely' });
    expect(traceEvents[1]!.body as TraceBody).toMatchObject({ status: 'error' });
    expect(endsOf(exporter.events)).toHaveLength(1);
  });

  it('takes an invalid Date for now rather than throw into the app', () => {
    const { exporter, tracer } = memoryTracer();
    expect(() =>
      tracer.span({ name: 'x', startTime: new Date('nope') }).end({ endTime: new Date(Number.NaN) }),
    ).not.toThrow();
    expect(spansOf(exporter.events)[0]!.start_time).toMatch(/^\d{4}-/);
  });

  it('records time to first token for a stream consumed by hand', () => {
    const { exporter, tracer } = memoryTracer();
    const span = tracer.generation({ name: 'g', startTime: new Date(Date.now() - 50) });
    span.markFirstToken();
    span.end();
    expect(endsOf(exporter.events)[0]!.time_to_first_token_ms).toBeGreaterThanOrEqual(50);
  });
});
