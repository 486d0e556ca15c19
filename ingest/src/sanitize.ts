/**
 * Text bound for PostgreSQL: `text` and `jsonb` refuse the NUL character (U+0000, SQLSTATE 22021 /
 * 22P05) and UTF-16 lone surrogates cannot be encoded as UTF-8. Every string ingest writes —
 * dead-letter detail and payload, device status, station documents, HJ 212 MN — passes through
 * here. Invalid UTF-8 in a payload was already replaced by U+FFFD when it was decoded as text.
 */

// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
const UNSAFE = /[\u0000\uD800-\uDFFF]/;
// A NUL, or a surrogate that is not part of a valid pair.
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
const UNSAFE_G = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `s` with NUL escaped as the visible text `\u0000` and lone surrogates replaced by U+FFFD. */
export function safeText(s: string): string {
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE_G, (c) => (c === '\u0000' ? '\\u0000' : '\uFFFD'));
}

/** safeText, then at most `max` UTF-16 units (never splitting a surrogate pair). */
export function safeSlice(s: string, max: number): string {
  const t = safeText(s);
  if (t.length <= max) return t;
  const cut = /[\uD800-\uDBFF]/.test(t[max - 1] ?? '') ? max - 1 : max;
  return t.slice(0, cut);
}

/**
 * A JSON-like value with every string (keys too) made safe; depth beyond `maxDepth` is replaced by
 * null (documents reaching here were already parsed and validated, so this only bounds recursion).
 */
export function safeDeep<T>(v: T, maxDepth = 32): T {
  return walk(v, maxDepth) as T;
}

function walk(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return safeText(v);
  if (v === null || typeof v !== 'object') return v;
  if (depth <= 0) return null;
  if (Array.isArray(v)) return v.map((x) => walk(x, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[safeText(k)] = walk(x, depth - 1);
  return out;
}

/** Payload bytes as storable text: UTF-8 with invalid sequences replaced, then made safe. */
export function safePayloadText(payload: Uint8Array | string, maxChars: number): string {
  const s = typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.byteLength, maxChars * 4)).toString('utf8');
  return safeSlice(s, maxChars);
}
