import { createHmac } from 'node:crypto';
import type { KeyHasher } from '@flywheel/core';

/** HMAC-SHA-256 of API keys under the server secret: a few microseconds per check. */
export function createHmacKeyHasher(secret: string): KeyHasher {
  return {
    hash: (key) => createHmac('sha256', secret).update(key).digest('hex'),
  };
}
