/** Roles, in increasing power: each role may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route requires: `public` (anyone, also without credentials: health, docs, metrics),
 * or the least role. Anonymous callers count as `viewer` only when anonymous read is enabled.
 */
export type Access = 'public' | Role;

/** Who is calling: from an API key, a bearer JWT, or nobody. */
export interface Principal {
  /** Stable actor id for the audit log: key:<id>, jwt:<sub>, anonymous, system:<component>. */
  actor: string;
  /** null: no credentials (anonymous). */
  role: Role | null;
  via: 'key' | 'jwt' | 'anonymous' | 'system';
}

export const ANONYMOUS: Principal = { actor: 'anonymous', role: null, via: 'anonymous' };
export const systemPrincipal = (component: string): Principal => ({ actor: `system:${component}`, role: 'admin', via: 'system' });

export function isRole(s: unknown): s is Role {
  return typeof s === 'string' && (ROLES as readonly string[]).includes(s);
}

/** The role the request acts with (anonymous read counts as viewer), or null. */
export function effectiveRole(p: Principal, anonymousRead: boolean): Role | null {
  if (p.role) return p.role;
  return anonymousRead ? 'viewer' : null;
}

/** Pure access decision: 'allow', or why not ('unauthenticated' -> 401, 'forbidden' -> 403). */
export function decide(access: Access, p: Principal, anonymousRead: boolean): 'allow' | 'unauthenticated' | 'forbidden' {
  if (access === 'public') return 'allow';
  const role = effectiveRole(p, anonymousRead);
  if (role === null) return 'unauthenticated';
  return ROLES.indexOf(role) >= ROLES.indexOf(access) ? 'allow' : p.role === null ? 'unauthenticated' : 'forbidden';
}

/** Default access of a route that declares none: reads need a viewer, every mutation an admin. */
export function defaultAccess(method: string): Access {
  return method === 'GET' || method === 'HEAD' ? 'viewer' : 'admin';
}
