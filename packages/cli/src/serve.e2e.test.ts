import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI } from '@flywheel/providers/testing';
import { createFlywheelClient } from '@flywheel/sdk';
import { FlywheelError } from '@flywheel/spec';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  bin,
  type ServerProcess as Server,
  startServerProcess as startServer,
} from './testing-internal/server-process.js';

describe('flywheel serve, end to end', () => {
  const running: Server[] = [];
  afterEach(() => {
    for (const server of running.splice(0)) server.child.kill('SIGKILL');
  });

  it('prints a working admin key, serves the API, and drains on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-e2e-'));
    const first = await startServer(dataDir);
    running.push(first);
    const adminKey = /^\s+(fw_sk_[A-Za-z0-9_-]{43})$/m.exec(first.stdout())?.[1];
    expect(adminKey, first.stdout()).toBeDefined();
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const admin = createFlywheelClient({ baseUrl: first.url, apiKey: adminKey! });
    expect(await admin.health()).toMatchObject({ status: 'ok', storage: 'sqlite' });
    expect(await admin.projects.current()).toMatchObject({ name: 'default' });
    // The web UI that `npm run build` wrote to apps/web/dist, found from the bundled command.
    const page = await fetch(`${first.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');

    const created = await admin.keys.create({ name: 'e2e', scopes: ['read'] });
    const reader = createFlywheelClient({ baseUrl: first.url, apiKey: created.key });
    expect((await reader.projects.current()).name).toBe('default');
    await admin.keys.revoke(created.id);
    const refused = await reader.projects.current().catch((error: unknown) => error);
    expect(FlywheelError.is(refused) && refused.code).toBe('invalid_api_key');

    // Requests in flight when SIGTERM arrives finish; everything acknowledged is kept.
    const firstProject = await admin.projects.create({ name: 'before-burst' });
    const creates = Array.from({ length: 20 }, (_, index) =>
      admin.projects.create({ name: `burst-${index}` }).then(
        (project) => project.id,
        () => undefined,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    first.child.kill('SIGTERM');
    const acknowledged = [
      firstProject.id,
      ...(await Promise.all(creates)).filter((id): id is string => id !== undefined),
    ];
    expect(await first.exit).toBe(0);
    expect(first.stderr()).toContain('Received SIGTERM: draining');

    const second = await startServer(dataDir);
    running.push(second);
    expect(second.stdout()).not.toContain('fw_sk_');
    const again = createFlywheelClient({ baseUrl: second.url, apiKey: adminKey! });
    const ids = (await again.projects.list()).map((project) => project.id);
    for (const id of acknowledged) expect(ids).toContain(id);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  });

  it('writes ingested traces from the bundled writer thread on PostgreSQL', async () => {
    // On PostgreSQL the writer thread loads its stores from a chunk of its own (the SQLite writer
    // starts without them): what the bundle can get wrong is that chunk's path.
    const adminUrl = inject('postgresUrl');
    const name = `flywheel_e2e_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const key = `fw_sk_${'E'.repeat(43)}`;
      const server = await startServer(mkdtempSync(join(tmpdir(), 'flywheel-e2e-pg-')), {
        FLYWHEEL_DATABASE_URL: url.toString(),
        FLYWHEEL_BOOTSTRAP_KEY: key,
      });
      running.push(server);
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const ingested = await fetch(`${server.url}/api/ingest`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          batch: [
            { id: 'ev-1', type: 'trace-create', body: { id: 'tr-pg', name: 'on postgres' } },
            {
              id: 'ev-2',
              type: 'span-create',
              body: { id: 'sp-pg', trace_id: 'tr-pg', name: 'chat', output: 'Line one.\nkestrel' },
            },
          ],
        }),
      });
      expect(ingested.status, await ingested.clone().text()).toBe(200);
      const detail = await (await fetch(`${server.url}/api/traces/tr-pg`, { headers })).json();
      expect(detail).toMatchObject({ name: 'on postgres', span_count: 1 });
      const found = await (await fetch(`${server.url}/api/traces?q=kestrel`, { headers })).json();
      expect(found.data.map((item: { id: string }) => item.id)).toEqual(['tr-pg']);
      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  it('counts the tokens of an embeddings call the provider did not count (the tokenizer loads in the bundle)', async () => {
    const fake = await startFakeOpenAI();
    try {
      // An embeddings answer without usage: the route counts the input with the tokenizer, which
      // the bundled script imports through its loader (decision 0017).
      fake.behave(() => ({
        kind: 'json',
        body: {
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
          model: 'e',
        },
      }));
      const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-e2e-'));
      const config = join(dataDir, 'flywheel.config.yaml');
      writeFileSync(
        config,
        `models:\n  - name: emb\n    targets: [{ provider: openai-compatible, model: text-embedding-3-small, base_url: "${fake.url}", api_key: k }]\n`,
      );
      const server = await startServer(dataDir, { FLYWHEEL_CONFIG: config });
      running.push(server);
      const adminKey = /^\s+(fw_sk_[A-Za-z0-9_-]{43})$/m.exec(server.stdout())?.[1];
      const answer = await fetch(`${server.url}/v1/embeddings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'emb', input: 'hello world, how are you' }),
      });
      expect(answer.status).toBe(200);
      const traceId = answer.headers.get('x-flywheel-trace-id')!;
      const admin = createFlywheelClient({ baseUrl: server.url, apiKey: adminKey! });
      let trace: Awaited<ReturnType<typeof admin.traces.get>> | undefined;
      for (let attempt = 0; attempt < 50 && trace === undefined; attempt++) {
        trace = await admin.traces.get(traceId).catch(() => undefined);
        if (trace === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(trace?.spans[0]).toMatchObject({ status: 'ok' });
      expect(trace?.spans[0]?.usage?.input_tokens).toBeGreaterThan(0);
      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it('refuses to start with a clear message and exit code 2 on a bad setting', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', 'http'], {
      env: { ...process.env, FLYWHEEL_CONFIG: '' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--port is "http", but it must be a whole number from 0 to 65535');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
