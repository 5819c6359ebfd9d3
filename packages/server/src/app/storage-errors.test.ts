import { join } from 'node:path';
import type { Stores } from '@flywheel/core';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { capturedLogger } from '../testing-internal/captured-logger.js';
import { createTestApp, type TestApp } from '../testing-internal/test-app.js';

describe('storage errors at the boundary', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('answers a retryable 503 with Retry-After, never a 500 or an ack, while another writer holds the lock', async () => {
    t = await createTestApp({ busyTimeoutMs: 50 });
    const other = new SqliteDatabase(join(t.dataDir, 'flywheel.db'));
    other.exec('BEGIN EXCLUSIVE');
    try {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/projects',
        headers: t.auth(t.adminKey),
        payload: { name: 'blocked' },
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.json().error.code).toBe('storage_busy');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const projects = await t.app.inject({ method: 'GET', url: '/api/projects', headers: t.auth(t.adminKey) });
    expect(projects.json().data.map((project: { name: string }) => project.name)).not.toContain('blocked');
  });

  it('reports /health as unavailable when the database does not answer', async () => {
    const failingPing = (stores: Stores): Stores => ({
      ...stores,
      ping: () => Promise.reject(new Error('database gone')),
    });
    t = await createTestApp({ stores: failingPing });
    const response = await t.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json().status).toBe('unavailable');
  });

  it('hides unexpected errors behind internal_error with a request id, and logs them under that id', async () => {
    const brokenList = (stores: Stores): Stores => ({
      ...stores,
      projects: { ...stores.projects, list: () => Promise.reject(new Error('secret internals /etc/passwd')) },
    });
    const { logger, lines } = capturedLogger('warn');
    t = await createTestApp({ stores: brokenList, logger });
    const response = await t.app.inject({ method: 'GET', url: '/api/projects', headers: t.auth(t.adminKey) });
    expect(response.statusCode).toBe(500);
    expect(response.json().error.code).toBe('internal_error');
    expect(response.body).not.toContain('secret internals');
    // Only the failure is written (nothing at info), with the id the client was given.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, request_id: response.headers['x-request-id'] });
    expect(JSON.stringify(lines[0])).toContain('secret internals');
  });
});
