import type { LookupAddress, LookupOptions } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type AddressLookup, createGuardedLookup, UnsafeAddressError } from './guarded-lookup.js';

const testHost = 'flywheel-test.invalid';

/** A resolver answering from a table, so no test depends on real DNS. */
function tableLookup(table: Record<string, LookupAddress[]>): AddressLookup {
  return (hostname, _options, callback) => {
    const addresses = table[hostname];
    if (addresses === undefined) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      return;
    }
    callback(null, addresses);
  };
}

type LookupResult = {
  error: NodeJS.ErrnoException | null;
  address: string | LookupAddress[];
  family?: number;
};

function resolve(
  lookup: LookupFunction,
  hostname: string,
  options: LookupOptions = {},
): Promise<LookupResult> {
  return new Promise((done) => {
    lookup(hostname, options, (error, address, family) => done({ error, address, family }));
  });
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });

describe('createGuardedLookup', () => {
  it('refuses a name that resolves to a private address', async () => {
    const lookup = createGuardedLookup(
      { allowedHosts: [] },
      tableLookup({ 'evil.example': [v4('10.0.0.5')] }),
    );
    const { error } = await resolve(lookup, 'evil.example');
    expect(error).toBeInstanceOf(UnsafeAddressError);
    expect(error?.code).toBe('ERR_UNSAFE_ADDRESS');
    expect(error?.message).toContain('evil.example');
    expect(error?.message).toContain('10.0.0.5');
    expect(error?.message).toContain('FLYWHEEL_ALLOWED_HOSTS');
  });

  it('refuses a name when any one of its addresses is private', async () => {
    const table = {
      'mixed.example': [v4('93.184.216.34'), { address: '::ffff:169.254.169.254', family: 6 }],
    };
    const lookup = createGuardedLookup({ allowedHosts: [] }, tableLookup(table));
    const { error } = await resolve(lookup, 'mixed.example', { all: true });
    expect(error?.code).toBe('ERR_UNSAFE_ADDRESS');
    expect(error?.message).toContain('::ffff:169.254.169.254');
  });

  it('passes a public name through in both the single and the all form', async () => {
    const addresses = [v4('93.184.216.34'), { address: '2606:2800:220:1::248', family: 6 }];
    const lookup = createGuardedLookup({ allowedHosts: [] }, tableLookup({ 'api.example': addresses }));
    expect(await resolve(lookup, 'api.example')).toEqual({
      error: null,
      address: '93.184.216.34',
      family: 4,
    });
    const all = await resolve(lookup, 'api.example', { all: true });
    expect(all.error).toBeNull();
    expect(all.address).toEqual(addresses);
  });

  it('allows a private address when the host is allowlisted, with or without a port', async () => {
    const table = { 'ollama.internal': [v4('10.0.0.5')] };
    for (const entry of ['ollama.internal', 'OLLAMA.internal:11434']) {
      const lookup = createGuardedLookup({ allowedHosts: [entry] }, tableLookup(table));
      expect(await resolve(lookup, 'ollama.internal')).toEqual({
        error: null,
        address: '10.0.0.5',
        family: 4,
      });
    }
  });

  it('resolves with dns.lookup by default', async () => {
    // localhost is answered from the hosts file, so this needs no network.
    const { error } = await resolve(createGuardedLookup({ allowedHosts: [] }), 'localhost');
    expect(error?.code).toBe('ERR_UNSAFE_ADDRESS');
  });

  it('passes resolver errors through unchanged', async () => {
    const lookup = createGuardedLookup({ allowedHosts: [] }, tableLookup({}));
    const { error } = await resolve(lookup, 'missing.example');
    expect(error?.code).toBe('ENOTFOUND');
  });

  it('judges the answer of every lookup, so a name that turns private later is refused', async () => {
    const answers = [[v4('93.184.216.34')], [v4('127.0.0.1')]];
    const rebinding: AddressLookup = (_hostname, _options, callback) => callback(null, answers.shift() ?? []);
    const lookup = createGuardedLookup({ allowedHosts: [] }, rebinding);
    expect((await resolve(lookup, 'rebind.example')).error).toBeNull();
    expect((await resolve(lookup, 'rebind.example')).error?.code).toBe('ERR_UNSAFE_ADDRESS');
  });
});

describe('createGuardedLookup under undici', () => {
  const closers: Array<() => Promise<void>> = [];

  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function startServer(
    handler: Parameters<typeof createServer>[1],
  ): Promise<{ port: number; hits: () => number }> {
    let hits = 0;
    const server: Server = createServer((incoming, outgoing) => {
      hits += 1;
      handler?.(incoming, outgoing);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    closers.push(() => new Promise<void>((done) => server.close(() => done())));
    return { port: (server.address() as AddressInfo).port, hits: () => hits };
  }

  function guardedAgent(allowedHosts: string[]): Agent {
    const lookup = createGuardedLookup({ allowedHosts }, tableLookup({ [testHost]: [v4('127.0.0.1')] }));
    const agent = new Agent({ connect: { lookup } });
    closers.push(() => agent.close());
    return agent;
  }

  it('fails the connection to a name that resolves to loopback', async () => {
    const server = await startServer((_incoming, outgoing) => outgoing.end('ok'));
    const dispatcher = guardedAgent([]);
    await expect(request(`http://${testHost}:${server.port}/`, { dispatcher })).rejects.toMatchObject({
      code: 'ERR_UNSAFE_ADDRESS',
      address: '127.0.0.1',
    });
    expect(server.hits()).toBe(0);
  });

  it('connects to an allowlisted name that resolves to loopback', async () => {
    const server = await startServer((_incoming, outgoing) => outgoing.end('ok'));
    const dispatcher = guardedAgent([testHost]);
    const response = await request(`http://${testHost}:${server.port}/`, { dispatcher });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('ok');
  });

  it('returns a redirect as it is instead of following it to another host', async () => {
    const target = await startServer((_incoming, outgoing) => outgoing.end('reached'));
    const redirecting = await startServer((_incoming, outgoing) => {
      outgoing.writeHead(302, { location: `http://127.0.0.1:${target.port}/` }).end();
    });
    const dispatcher = guardedAgent([testHost]);
    const response = await request(`http://${testHost}:${redirecting.port}/`, { dispatcher });
    await response.body.dump();
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(`http://127.0.0.1:${target.port}/`);
    expect(redirecting.hits()).toBe(1);
    expect(target.hits()).toBe(0);
  });
});
