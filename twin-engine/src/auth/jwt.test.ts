import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JwtVerifier } from './jwt.js';
import { decide, defaultAccess } from './roles.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

function jwt(alg: 'RS256' | 'ES256', key: KeyObject, claims: Record<string, unknown>, kid = 'k1'): string {
  const head = `${b64({ alg, typ: 'JWT', kid })}.${b64(claims)}`;
  const sig = sign('sha256', Buffer.from(head), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${head}.${sig.toString('base64url')}`;
}

const now = 1_800_000_000;
const verifier = new JwtVerifier({
  jwks: { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'k1' }, { ...ec.publicKey.export({ format: 'jwk' }), kid: 'k2' }] },
  issuer: 'https://sso.basin.example',
  audience: 'basin-twin',
  roleClaim: 'groups',
  roleMap: { 'flood-office': 'operator', 'it-admins': 'admin', staff: 'viewer' },
});
const claims = (over: Record<string, unknown> = {}) => ({ sub: 'zhang.wei', iss: 'https://sso.basin.example', aud: 'basin-twin', exp: now + 600, groups: ['staff', 'flood-office'], ...over });

describe('JWT bearer tokens (offline JWKS)', () => {
  it('maps the highest mapped group to the role (RS256 and ES256)', () => {
    expect(verifier.verify(jwt('RS256', rsa.privateKey, claims()), now)).toEqual({ ok: true, sub: 'zhang.wei', role: 'operator' });
    expect(verifier.verify(jwt('ES256', ec.privateKey, claims({ groups: 'it-admins' }), 'k2'), now)).toEqual({ ok: true, sub: 'zhang.wei', role: 'admin' });
  });

  it.each([
    ['another key', () => jwt('RS256', other.privateKey, claims()), 'bad signature'],
    ['expired', () => jwt('RS256', rsa.privateKey, claims({ exp: now - 3600 })), 'expired'],
    ['no exp', () => jwt('RS256', rsa.privateKey, claims({ exp: undefined })), 'expired'],
    ['wrong issuer', () => jwt('RS256', rsa.privateKey, claims({ iss: 'https://evil.example' })), 'wrong issuer'],
    ['wrong audience', () => jwt('RS256', rsa.privateKey, claims({ aud: 'other-app' })), 'wrong audience'],
    ['no known group', () => jwt('RS256', rsa.privateKey, claims({ groups: ['visitors'] })), 'no role'],
    ['alg none', () => `${b64({ alg: 'none' })}.${b64(claims())}.`, 'not accepted'],
    ['HS256', () => `${b64({ alg: 'HS256' })}.${b64(claims())}.c2ln`, 'not accepted'],
    ['tampered claims', () => { const [h, , s] = jwt('RS256', rsa.privateKey, claims()).split('.'); return `${h}.${b64(claims({ groups: ['it-admins'] }))}.${s}`; }, 'bad signature'],
  ])('refuses %s', (_name, make, reason) => {
    const r = verifier.verify(make(), now);
    expect(r.ok).toBe(false);
    expect((r as { reason: string }).reason).toContain(reason);
  });
});

describe('access decisions', () => {
  const p = (role: 'viewer' | 'operator' | 'admin' | null) => ({ actor: 'x', role, via: 'key' as const });
  it.each([
    ['public', null, false, 'allow'],
    ['viewer', null, false, 'unauthenticated'],
    ['viewer', null, true, 'allow'],
    ['operator', null, true, 'unauthenticated'],
    ['viewer', 'viewer', false, 'allow'],
    ['operator', 'viewer', false, 'forbidden'],
    ['operator', 'operator', false, 'allow'],
    ['admin', 'operator', false, 'forbidden'],
    ['admin', 'admin', false, 'allow'],
    ['viewer', 'admin', false, 'allow'],
  ] as const)('%s route, role %s, anonymous read %s -> %s', (access, role, anon, out) => {
    expect(decide(access, p(role), anon)).toBe(out);
  });
  it('defaults reads to viewer and mutations to admin', () => {
    expect(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].map(defaultAccess)).toEqual(['viewer', 'viewer', 'admin', 'admin', 'admin', 'admin']);
  });
});
