import { describe, expect, it } from 'vitest';
import { capturedLogger } from '../testing-internal/captured-logger.js';
import { lazyChildLogger } from './lazy-child-logger.js';

describe('lazy request logger', () => {
  it('writes only lines at or above the level, each with the bindings of the request', () => {
    const { logger, lines } = capturedLogger('warn');
    const child = lazyChildLogger(logger, { request_id: 'req_1' }, {});
    child.info('not written');
    child.debug({ a: 1 }, 'not written either');
    expect(lines).toEqual([]);
    child.warn({ detail: 2 }, 'written');
    child.error('also written');
    expect(lines).toMatchObject([
      { level: 40, request_id: 'req_1', detail: 2, msg: 'written' },
      { level: 50, request_id: 'req_1', msg: 'also written' },
    ]);
    expect(child.level).toBe('warn');
  });

  it('passes its bindings on to its own children and follows a level change', () => {
    const { logger, lines } = capturedLogger('info');
    const child = lazyChildLogger(logger, { request_id: 'req_2' }, {});
    child.child({ part: 'gateway' }).info('from a grandchild');
    child.level = 'error';
    child.warn('dropped after the change');
    child.error('kept');
    expect(lines).toMatchObject([
      { request_id: 'req_2', part: 'gateway', msg: 'from a grandchild' },
      { request_id: 'req_2', msg: 'kept' },
    ]);
    expect(lines).toHaveLength(2);
  });
});
