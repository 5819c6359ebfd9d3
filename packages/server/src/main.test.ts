import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Client } from 'undici';
import { describe, expect, inject, it } from 'vitest';
import { startFlywheel } from './main.js';
import { loadSettings } from './settings/load-settings.js';

function settingsFor(env: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'flywheel-main-'));
  return loadSettings({ env: { FLYWHEEL_PORT: '0', FLYWHEEL_LOG_LEVEL: 'silent', ...env }, cwd });
}

describe('startFlywheel', () => {
  it('prints the URL and a working admin key on the first start only', async () => {
    const settings = settingsFor({});
    let printed = '';
    const first = await startFlywheel(settings, { print: (text) => (printed += text) });
    try {
      expect(printed).toContain(`listening on ${first.url}`);
      const key = /\b(fw_sk_[A-Za-z0-9_-]{43})\b/.exec(printed)?.[1];
      expect(key).toBeDefined();
      const health = await fetch(`${first.url}/health`);
      expect(health.status).toBe(200);
      const current = await fetch(`${first.url}/api/projects/current`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(await current.json()).toMatchObject({ name: 'default' });
    } finally {
      await first.close();
      await first.close();
    }
    printed = '';
    const second = await startFlywheel(settings, { print: (text) => (printed += text) });
    try {
      expect(second.bootstrap).toBeUndefined();
      expect(printed).not.toContain('fw_sk_');
    } finally {
      await second.close();
    }
  });

  it('uses FLYWHEEL_BOOTSTRAP_KEY as the first admin key without printing it', async () => {
    const key = `fw_sk_${'B'.repeat(43)}`;
    let printed = '';
    const running = await startFlywheel(settingsFor({ FLYWHEEL_BOOTSTRAP_KEY: key }), {
      print: (text) => (printed += text),
    });
    try {
      expect(printed).not.toContain(key);
      expect(printed).toContain('FLYWHEEL_BOOTSTRAP_KEY');
      const response = await fetch(`${running.url}/api/projects/current`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(response.status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('checks every request of a kept-alive connection against the key it carries', async () => {
    const key = `fw_sk_${'C'.repeat(43)}`;
    const running = await startFlywheel(settingsFor({ FLYWHEEL_BOOTSTRAP_KEY: key }), { print: () => {} });
    // One connection for every request, so the connection's remembered key hash is in play.
    const client = new Client(running.url, { pipelining: 1 });
    const statusWith = async (authorization: string) => {
      const response = await client.request({
        method: 'GET',
        path: '/api/projects/current',
        headers: { authorization },
      });
      await response.body.dump();
      return response.statusCode;
    };
    try {
      const other = `fw_sk_${'D'.repeat(43)}`;
      expect(await statusWith(`Bearer ${key}`)).toBe(200);
      expect(await statusWith(`Bearer ${other}`)).toBe(401);
      expect(await statusWith(`Bearer ${key}`)).toBe(200);
      expect(await statusWith(`Bearer ${key.slice(0, -1)}D`)).toBe(401);
      expect(await statusWith(`Bearer ${key}`)).toBe(200);
    } finally {
      await client.close();
      await running.close();
    }
  });

  it('serves the web UI folder it is given at /, and says so when it is not built', async () => {
    const webDir = mkdtempSync(join(tmpdir(), 'flywheel-main-web-'));
    let printed = '';
    const running = await startFlywheel(settingsFor({}), { print: (text) => (printed += text), webDir });
    try {
      expect(printed).toContain('web UI:  not built (run `npm run build`)');
      const root = await fetch(`${running.url}/`);
      expect(root.status).toBe(404);
      expect(await root.text()).toContain('npm run build');
    } finally {
      await running.close();
    }
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Flywheel</title>');
    printed = '';
    const again = await startFlywheel(settingsFor({}), { print: (text) => (printed += text), webDir });
    try {
      expect(printed).toContain(`web UI:  ${again.url}/`);
      const page = await fetch(`${again.url}/traces`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Flywheel</title>');
    } finally {
      await again.close();
    }
    // The local eval runner's embedded server serves no UI, built or not.
    const quiet = await startFlywheel(settingsFor({}), { print: () => {}, webDir, serveWebUi: false });
    try {
      const page = await fetch(`${quiet.url}/traces`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(404);
      expect(await page.text()).not.toContain('<title>Flywheel</title>');
    } finally {
      await quiet.close();
    }
  });

  it('runs on PostgreSQL when FLYWHEEL_DATABASE_URL is set', async () => {
    const adminUrl = inject('postgresUrl');
    const name = `flywheel_main_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const key = `fw_sk_${'P'.repeat(43)}`;
    const running = await startFlywheel(
      settingsFor({ FLYWHEEL_DATABASE_URL: url.toString(), FLYWHEEL_BOOTSTRAP_KEY: key }),
      {
        print: () => {},
      },
    );
    try {
      const health = await (await fetch(`${running.url}/health`)).json();
      expect(health).toMatchObject({ status: 'ok', storage: 'postgres' });
      const response = await fetch(`${running.url}/api/projects/current`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(response.status).toBe(200);
    } finally {
      await running.close();
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    }
  });

  it('fails fast with storage_unavailable when PostgreSQL cannot be reached', async () => {
    const settings = settingsFor({ FLYWHEEL_DATABASE_URL: 'postgres://nobody:pw@127.0.0.1:1/none' });
    await expect(startFlywheel(settings, { print: () => {} })).rejects.toMatchObject({
      code: 'storage_unavailable',
    });
  });
});
