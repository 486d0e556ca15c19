import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import type { Queryable } from '@basin/platform';
import type { Role } from './roles.js';

/**
 * API keys: `btk_<id>.<secret>`. The id is public (listed, revocable); only an scrypt hash of the
 * secret is stored, so a key is shown once, when it is created.
 */
const PREFIX = 'btk_';
const SCRYPT = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LEN = 32;

const scrypt = (secret: BinaryLike, salt: BinaryLike, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(secret, salt, len, opts, (e, k) => (e ? reject(e) : resolve(k))));

export interface ParsedKey {
  id: string;
  secret: string;
}

export function parseKey(token: string): ParsedKey | null {
  const m = /^btk_([a-z0-9]{12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export function newKey(): { id: string; secret: string; token: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `${PREFIX}${id}.${secret}` };
}

export async function hashSecret(secret: string, salt = randomBytes(16)): Promise<{ salt: Buffer; hash: Buffer }> {
  return { salt, hash: await scrypt(secret, salt, KEY_LEN, SCRYPT) };
}

export async function secretMatches(secret: string, salt: Buffer, hash: Buffer): Promise<boolean> {
  const h = await scrypt(secret, salt, KEY_LEN, SCRYPT);
  return h.length === hash.length && timingSafeEqual(h, hash);
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface KeyRow {
  id: string;
  name: string;
  role: Role;
  created_at: Date | string;
  created_by: string;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
export const keyInfo = (r: KeyRow): ApiKeyInfo => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdAt: iso(r.created_at)!,
  createdBy: r.created_by,
  lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at),
});

const KEY_COLS = 'id, name, role, created_at, created_by, last_used_at, revoked_at';

/** Store a new key; returns its info and the token (the only time the secret is seen). */
export async function insertKey(tx: Queryable, input: { name: string; role: Role; createdBy: string }): Promise<{ key: ApiKeyInfo; token: string }> {
  const k = newKey();
  const { salt, hash } = await hashSecret(k.secret);
  const r = await tx.query<KeyRow>(
    `INSERT INTO api_keys (id, name, role, salt, hash, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${KEY_COLS}`,
    [k.id, input.name, input.role, salt, hash, input.createdBy],
  );
  return { key: keyInfo(r.rows[0]!), token: k.token };
}

export async function listKeys(db: Queryable): Promise<ApiKeyInfo[]> {
  return (await db.query<KeyRow>(`SELECT ${KEY_COLS} FROM api_keys ORDER BY created_at, id`)).rows.map(keyInfo);
}

export async function getKey(db: Queryable, id: string): Promise<ApiKeyInfo | null> {
  const r = await db.query<KeyRow>(`SELECT ${KEY_COLS} FROM api_keys WHERE id = $1`, [id]);
  return r.rows[0] ? keyInfo(r.rows[0]) : null;
}

export async function revokeKey(tx: Queryable, id: string): Promise<ApiKeyInfo | null> {
  const r = await tx.query<KeyRow>(`UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${KEY_COLS}`, [id]);
  return r.rows[0] ? keyInfo(r.rows[0]) : null;
}

/**
 * Verifies keys against the database. scrypt costs ~50 ms by design, so a token whose hash
 * matched once is remembered (by its SHA-256, in memory, bounded); the role and revocation are
 * still read from the database on every request, so a revoked key stops working at once in every
 * process. last_used_at is written at most once a minute per key.
 */
export class KeyVerifier {
  private readonly verified = new Map<string, string>();
  private readonly touched = new Map<string, number>();
  constructor(
    private readonly db: Queryable,
    private readonly now: () => number = Date.now,
    private readonly maxCached = 10_000,
  ) {}

  async verify(token: string): Promise<{ id: string; role: Role } | null> {
    const parsed = parseKey(token);
    if (!parsed) return null;
    const digest = createHash('sha256').update(token).digest('base64');
    const r = await this.db.query<{ role: Role; salt: Buffer; hash: Buffer; revoked_at: unknown }>(
      'SELECT role, salt, hash, revoked_at FROM api_keys WHERE id = $1',
      [parsed.id],
    );
    const row = r.rows[0];
    if (!row || row.revoked_at !== null) return null;
    if (this.verified.get(digest) !== parsed.id) {
      if (!(await secretMatches(parsed.secret, Buffer.from(row.salt), Buffer.from(row.hash)))) return null;
      if (this.verified.size >= this.maxCached) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(digest, parsed.id);
    }
    await this.touch(parsed.id);
    return { id: parsed.id, role: row.role };
  }

  private async touch(id: string): Promise<void> {
    const t = this.now();
    if ((this.touched.get(id) ?? 0) > t - 60_000) return;
    this.touched.set(id, t);
    await this.db.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [id, new Date(t).toISOString()]);
  }
}
