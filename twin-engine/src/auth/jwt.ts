import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isRole, type Role } from './roles.js';

/**
 * Bearer JWTs from a site's single sign-on (OIDC). Verified offline against a JWKS document or a
 * PEM public key from configuration (air-gapped sites: no discovery over the network).
 * Algorithms: RS256/384/512, PS256, ES256/384 (no "none", no HMAC with a public key).
 */
export interface JwtSettings {
  /** JWKS document ({keys: [...]}) */
  jwks?: { keys: (JsonWebKey & { kid?: string })[] };
  /** PEM public key text */
  publicKeyPem?: string;
  issuer?: string;
  audience?: string;
  roleClaim: string;
  roleMap?: Record<string, string>;
}

const ALGS: Record<string, { hash: string; ec?: boolean; pss?: boolean }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', pss: true },
  ES256: { hash: 'sha256', ec: true },
  ES384: { hash: 'sha384', ec: true },
};

export type JwtResult = { ok: true; sub: string; role: Role } | { ok: false; reason: string };

const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export class JwtVerifier {
  private readonly keys: { kid?: string; key: KeyObject }[];
  constructor(private readonly s: JwtSettings) {
    this.keys = [
      ...(s.jwks?.keys ?? []).map((k) => ({ kid: k.kid, key: createPublicKey({ key: k, format: 'jwk' }) })),
      ...(s.publicKeyPem ? [{ key: createPublicKey(s.publicKeyPem) }] : []),
    ];
  }

  verify(token: string, nowS = Math.floor(Date.now() / 1000)): JwtResult {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'not a JWT' };
    let header: { alg?: string; kid?: string };
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed JWT' };
    }
    const alg = ALGS[header.alg ?? ''];
    if (!alg) return { ok: false, reason: `algorithm ${String(header.alg)} not accepted` };
    const candidates = this.keys.filter((k) => header.kid === undefined || k.kid === undefined || k.kid === header.kid);
    const data = Buffer.from(`${parts[0]}.${parts[1]}`);
    const sig = Buffer.from(parts[2]!, 'base64url');
    const good = candidates.some(({ key }) => {
      try {
        return cryptoVerify(alg.hash, data, { key, ...(alg.ec ? { dsaEncoding: 'ieee-p1363' as const } : {}), ...(alg.pss ? { padding: 6, saltLength: 32 } : {}) }, sig);
      } catch {
        return false;
      }
    });
    if (!good) return { ok: false, reason: 'bad signature' };
    if (typeof claims.exp !== 'number' || claims.exp < nowS - 30) return { ok: false, reason: 'expired' };
    if (typeof claims.nbf === 'number' && claims.nbf > nowS + 30) return { ok: false, reason: 'not yet valid' };
    if (this.s.issuer && claims.iss !== this.s.issuer) return { ok: false, reason: 'wrong issuer' };
    if (this.s.audience) {
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!aud.includes(this.s.audience)) return { ok: false, reason: 'wrong audience' };
    }
    const role = this.role(claims[this.s.roleClaim]);
    if (!role) return { ok: false, reason: `no role in claim ${this.s.roleClaim}` };
    return { ok: true, sub: String(claims.sub ?? 'unknown'), role };
  }

  /** Highest role named by the claim (string or array), through the role map when configured. */
  private role(claim: unknown): Role | null {
    const values = Array.isArray(claim) ? claim : claim === undefined ? [] : [claim];
    let best: Role | null = null;
    for (const v of values) {
      const r = this.s.roleMap ? this.s.roleMap[String(v)] : String(v);
      if (isRole(r) && (best === null || ROLE_RANK[r] > ROLE_RANK[best])) best = r;
    }
    return best;
  }
}
