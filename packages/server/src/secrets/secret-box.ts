import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FlywheelError } from '@flywheel/spec';

const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;
const sealedPrefix = 'v1:';

const keyHelp =
  'FLYWHEEL_ENCRYPTION_KEY must be exactly 32 bytes, written as 64 hex characters or as base64/base64url ' +
  '(44 or 43 characters). Make one with: openssl rand -base64 32';

/**
 * Reads `FLYWHEEL_ENCRYPTION_KEY`: exactly 32 bytes as 64 hex characters, or as base64 or
 * base64url (44 characters padded, 43 unpadded). Surrounding whitespace, such as the newline
 * a key file ends with, is ignored.
 *
 * @throws FlywheelError `invalid_setting` saying what is allowed; the message never holds the key.
 * @example
 * const key = parseEncryptionKey(settings.encryptionKey); // from `openssl rand -base64 32`
 */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    key = Buffer.from(trimmed, 'hex');
  } else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    // Node's base64 decoder reads both alphabets, so this covers base64 and base64url.
    key = Buffer.from(trimmed, 'base64');
  }
  if (key === undefined || key.length !== keyBytes) {
    // Only the length is reported: the text may be a real key pasted into the wrong place.
    throw new FlywheelError(
      'invalid_setting',
      `FLYWHEEL_ENCRYPTION_KEY is not a valid key (got ${trimmed.length} characters). ${keyHelp}`,
    );
  }
  return key;
}

/** Encrypts provider secrets for storage and decrypts them for use. */
export interface SecretBox {
  /**
   * Seals `plaintext` as `v1:` + base64url(iv | tag | ciphertext), with a fresh random IV each
   * time, so equal secrets do not look equal in the database.
   *
   * @param associatedData Bound into the tag but not stored, e.g. the credential id, so a sealed
   *   value copied to another row does not decrypt there. Pass the same value to `decrypt`.
   */
  encrypt(plaintext: string, associatedData?: string): string;
  /**
   * Opens a value sealed by `encrypt` under the same key and associated data.
   *
   * @throws FlywheelError `internal_error` when the key is wrong or the value was altered; the
   *   message never holds the value or the secret.
   */
  decrypt(sealed: string, associatedData?: string): string;
}

/**
 * AES-256-GCM under a key held outside the database (`FLYWHEEL_ENCRYPTION_KEY`), so a dump of
 * the database alone does not reveal provider API keys.
 *
 * @example
 * const box = createSecretBox(parseEncryptionKey(settings.encryptionKey));
 * const stored = box.encrypt(apiKey, credentialId);
 * const apiKeyAgain = box.decrypt(stored, credentialId);
 */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== keyBytes) {
    throw new FlywheelError('invalid_setting', `The encryption key has ${key.length} bytes. ${keyHelp}`);
  }
  // A copy, so a caller reusing or zeroing its buffer cannot change the key under us.
  const ownKey = Buffer.from(key);
  return {
    encrypt(plaintext, associatedData) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', ownKey, iv, { authTagLength: tagBytes });
      if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return sealedPrefix + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
    },
    decrypt(sealed, associatedData) {
      const payload = decodeSealed(sealed);
      try {
        const iv = payload.subarray(0, ivBytes);
        const tag = payload.subarray(ivBytes, ivBytes + tagBytes);
        const decipher = createDecipheriv('aes-256-gcm', ownKey, iv, { authTagLength: tagBytes });
        decipher.setAuthTag(tag);
        if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        const ciphertext = payload.subarray(ivBytes + tagBytes);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new FlywheelError(
          'internal_error',
          'A stored secret cannot be decrypted with this FLYWHEEL_ENCRYPTION_KEY: either the key is not the ' +
            'one it was encrypted with, or the stored data was altered. Restore the original key, or store ' +
            'the provider API key again.',
          { cause: error },
        );
      }
    },
  };
}

function decodeSealed(sealed: string): Buffer {
  const body = sealed.startsWith(sealedPrefix) ? sealed.slice(sealedPrefix.length) : undefined;
  const payload = body === undefined ? undefined : Buffer.from(body, 'base64url');
  // Node's decoder skips stray characters and ignores spare trailing bits; comparing the
  // re-encoding makes every changed character count as tampering.
  if (
    payload === undefined ||
    payload.length < ivBytes + tagBytes ||
    payload.toString('base64url') !== body
  ) {
    throw new FlywheelError(
      'internal_error',
      'A stored secret is not in the v1 sealed format, so it cannot be decrypted with this ' +
        'FLYWHEEL_ENCRYPTION_KEY. The stored data was altered; store the provider API key again.',
    );
  }
  return payload;
}
