import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '@basin/platform';
import type { Role } from './roles.js';

/**
 * Stream tickets: a browser's EventSource cannot send an Authorization header, so a caller with
 * an API key first asks `POST /api/stream/tickets` for a short-lived ticket and opens
 * `GET /api/stream?ticket=…`. A ticket is `stk_<key id>.<expiry, base36 ms>.<mac>`, the mac an
 * HMAC-SHA256 keyed with the key's stored scrypt hash (a server-side secret every twin-engine
 * process reads from the database): any process verifies it, nothing is stored, and revoking the
 * key voids its tickets at once. Tickets open the stream only, so the key never appears in a URL.
 */
const RE = /^stk_([a-z0-9]{12})\.([a-z0-9]{1,12})\.([A-Za-z0-9_-]{43})$/;

const mac = (keyHash: Buffer, keyId: string, expMs: number) => createHmac('sha256', keyHash).update(`stream-ticket:${keyId}:${expMs}`).digest('base64url');

export function signTicket(keyId: string, keyHash: Buffer, expMs: number): string {
  return `stk_${keyId}.${expMs.toString(36)}.${mac(keyHash, keyId, expMs)}`;
}

export function parseTicket(token: string): { keyId: string; expMs: number; mac: string } | null {
  const m = RE.exec(token);
  return m ? { keyId: m[1]!, expMs: parseInt(m[2]!, 36), mac: m[3]! } : null;
}

/** Pure check of a parsed ticket against the key's hash and the time: null when valid, else why not. */
export function ticketProblem(t: { keyId: string; expMs: number; mac: string }, keyHash: Buffer, now: number, maxTtlMs: number): string | null {
  const want = Buffer.from(mac(keyHash, t.keyId, t.expMs));
  const got = Buffer.from(t.mac);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return 'stream ticket signature does not verify';
  if (t.expMs <= now) return 'stream ticket expired';
  if (t.expMs - now > maxTtlMs) return 'stream ticket lifetime too long';
  return null;
}

export type TicketOutcome = { ok: true; keyId: string; role: Role } | { ok: false; reason: string };

/** Issue a ticket for an API key (`ttlMs` from now). */
export async function issueTicket(db: Queryable, keyId: string, now: number, ttlMs: number): Promise<{ ticket: string; expiresAt: string }> {
  const r = await db.query<{ hash: Buffer }>('SELECT hash FROM api_keys WHERE id = $1 AND revoked_at IS NULL', [keyId]);
  if (!r.rows[0]) throw new Error(`API key ${keyId} is not active`);
  const exp = now + ttlMs;
  return { ticket: signTicket(keyId, Buffer.from(r.rows[0].hash), exp), expiresAt: new Date(exp).toISOString() };
}

/** Verify a ticket against the key as it is now in the database (revoked keys fail). */
export async function verifyTicket(db: Queryable, token: string, now: number, maxTtlMs: number): Promise<TicketOutcome> {
  const t = parseTicket(token);
  if (!t) return { ok: false, reason: 'malformed stream ticket' };
  const r = await db.query<{ role: Role; hash: Buffer; revoked_at: unknown }>('SELECT role, hash, revoked_at FROM api_keys WHERE id = $1', [t.keyId]);
  const row = r.rows[0];
  if (!row || row.revoked_at !== null) return { ok: false, reason: 'the stream ticket\'s API key is unknown or revoked' };
  const problem = ticketProblem(t, Buffer.from(row.hash), now, maxTtlMs);
  return problem ? { ok: false, reason: problem } : { ok: true, keyId: t.keyId, role: row.role };
}
