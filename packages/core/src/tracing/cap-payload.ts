/** A payload as stored: whole up to the cap (UTF-8 bytes of its JSON), else a flagged preview. */
export function capPayload(value: unknown, maxBytes: number): { value: unknown; truncated: boolean } {
  if (value === undefined || value === null) return { value: null, truncated: false };
  const text = JSON.stringify(value);
  // Three bytes per UTF-16 unit is the most UTF-8 can take, so short payloads skip the encoding.
  if (text === undefined || text.length * 3 <= maxBytes) return { value, truncated: false };
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return { value, truncated: false };
  const preview = new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, '');
  return { value: { truncated: true, preview }, truncated: true };
}
