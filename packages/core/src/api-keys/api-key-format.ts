/** Every Flywheel API key starts with this. */
export const apiKeyPrefix = 'fw_sk_';

/** Random bytes in a generated key (base64url-encoded to 43 characters). */
export const apiKeyRandomBytes = 32;

// 32 bytes of base64url are 43 characters; longer given keys are accepted, shorter are not.
const apiKeyPattern = /^fw_sk_[A-Za-z0-9_-]{43,200}$/;

/** Whether `value` has the shape of a Flywheel API key (it says nothing of validity). */
export function isApiKeyFormat(value: string): boolean {
  return apiKeyPattern.test(value);
}

/** A new random API key: `fw_sk_` and 43 base64url characters (256 bits). */
export function generateApiKey(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(apiKeyRandomBytes));
  return apiKeyPrefix + base64url(bytes);
}

/** The parts of a key that may be shown: `fw_sk_AbCd` … `wxyz`. */
export function apiKeyDisplayParts(key: string): { prefix: string; suffix: string } {
  return { prefix: key.slice(0, apiKeyPrefix.length + 4), suffix: key.slice(-4) };
}

/** How a key is shown once it is stored: `fw_sk_AbCd…wxyz`. */
export function formatApiKeyDisplay(parts: { prefix: string; suffix: string }): string {
  return `${parts.prefix}…${parts.suffix}`;
}

/** Compares two strings in time that depends only on their length, not their content. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
