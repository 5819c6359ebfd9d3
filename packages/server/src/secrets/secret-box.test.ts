import { randomBytes } from 'node:crypto';
import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { createSecretBox, parseEncryptionKey } from './secret-box.js';

const apiKey = 'sk-proj-0123456789abcdefghijklmnopqrstuvwxyz';

function thrown(action: () => unknown): FlywheelError {
  try {
    action();
  } catch (error) {
    if (FlywheelError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a FlywheelError');
}

function payloadOf(sealed: string): Buffer {
  return Buffer.from(sealed.slice('v1:'.length), 'base64url');
}

describe('secret box', () => {
  const box = createSecretBox(randomBytes(32));

  it('decrypts what it encrypted', () => {
    expect(box.decrypt(box.encrypt(apiKey))).toBe(apiKey);
    expect(box.decrypt(box.encrypt(''))).toBe('');
    expect(box.decrypt(box.encrypt('clé 🔑 ключ'))).toBe('clé 🔑 ключ');
  });

  it('seals as v1: followed by base64url of a 12-byte IV, a 16-byte tag and the ciphertext', () => {
    const sealed = box.encrypt(apiKey);
    expect(sealed).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(payloadOf(sealed).length).toBe(12 + 16 + Buffer.byteLength(apiKey));
  });

  it('gives a different sealed value and IV each time for the same text', () => {
    const first = box.encrypt(apiKey);
    const second = box.encrypt(apiKey);
    expect(first).not.toBe(second);
    expect(payloadOf(first).subarray(0, 12)).not.toEqual(payloadOf(second).subarray(0, 12));
  });

  it('never shows the plaintext in the sealed value', () => {
    const sealed = box.encrypt(apiKey);
    expect(sealed).not.toContain(apiKey);
    expect(sealed).not.toContain(Buffer.from(apiKey).toString('base64url'));
    expect(payloadOf(sealed).includes(Buffer.from(apiKey))).toBe(false);
  });

  it('refuses a value with any byte changed, and says nothing of the secret', () => {
    const payload = payloadOf(box.encrypt(apiKey));
    for (let index = 0; index < payload.length; index += 1) {
      const tampered = Buffer.from(payload);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      const error = thrown(() => box.decrypt(`v1:${tampered.toString('base64url')}`));
      expect(error.code).toBe('internal_error');
      expect(error.message).toMatch(/cannot be decrypted with this FLYWHEEL_ENCRYPTION_KEY/);
      expect(error.message).not.toContain(apiKey);
    }
  });

  it('refuses a value with any character of its text changed', () => {
    const sealed = box.encrypt(apiKey);
    for (let index = 'v1:'.length; index < sealed.length; index += 1) {
      const replacement = sealed[index] === 'A' ? 'B' : 'A';
      const tampered = sealed.slice(0, index) + replacement + sealed.slice(index + 1);
      expect(() => box.decrypt(tampered)).toThrow(/FLYWHEEL_ENCRYPTION_KEY/);
    }
  });

  it('refuses values that are truncated, unversioned or not base64url', () => {
    const sealed = box.encrypt(apiKey);
    for (const broken of [
      sealed.slice(0, 20),
      sealed.slice(3),
      `v2:${sealed.slice(3)}`,
      `${sealed}!`,
      '',
      'v1:',
    ]) {
      expect(thrown(() => box.decrypt(broken)).code).toBe('internal_error');
    }
  });

  it('refuses to decrypt under another key', () => {
    const sealed = box.encrypt(apiKey);
    const error = thrown(() => createSecretBox(randomBytes(32)).decrypt(sealed));
    expect(error.code).toBe('internal_error');
    expect(error.message).toMatch(/wrong|not the one it was encrypted with/);
    expect(error.message).not.toContain(apiKey);
  });

  it('binds the associated data, so a value moved to another row does not decrypt', () => {
    const sealed = box.encrypt(apiKey, 'cred_1');
    expect(box.decrypt(sealed, 'cred_1')).toBe(apiKey);
    expect(thrown(() => box.decrypt(sealed, 'cred_2')).code).toBe('internal_error');
    expect(thrown(() => box.decrypt(sealed)).code).toBe('internal_error');
    expect(thrown(() => box.decrypt(box.encrypt(apiKey), 'cred_1')).code).toBe('internal_error');
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(thrown(() => createSecretBox(randomBytes(16))).code).toBe('invalid_setting');
  });
});

describe('parseEncryptionKey', () => {
  const key = randomBytes(32);

  it.each([
    ['hex', key.toString('hex')],
    ['upper-case hex', key.toString('hex').toUpperCase()],
    ['base64', key.toString('base64')],
    ['base64 without padding', key.toString('base64').replace(/=$/, '')],
    ['base64url', key.toString('base64url')],
    ['base64 with a trailing newline', `${key.toString('base64')}\n`],
  ])('accepts 32 bytes as %s', (_form, text) => {
    expect(parseEncryptionKey(text).equals(key)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['16 bytes of hex', randomBytes(16).toString('hex')],
    ['16 bytes of base64', randomBytes(16).toString('base64')],
    ['48 bytes of base64', randomBytes(48).toString('base64')],
    ['63 hex characters', key.toString('hex').slice(1)],
    ['garbage', 'correct horse battery staple, a passphrase!'],
    ['base64 characters with stray padding', `=${key.toString('base64url')}`],
    ['hex with a space inside', `${key.toString('hex').slice(0, 32)} ${key.toString('hex').slice(32)}`],
  ])('refuses %s and explains how to make a key', (_case, text) => {
    const error = thrown(() => parseEncryptionKey(text));
    expect(error.code).toBe('invalid_setting');
    expect(error.message).toContain('FLYWHEEL_ENCRYPTION_KEY');
    expect(error.message).toContain('openssl rand -base64 32');
    if (text !== '') expect(error.message).not.toContain(text);
  });
});
