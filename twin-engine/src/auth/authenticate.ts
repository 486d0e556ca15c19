import { ANONYMOUS, type Principal } from './roles.js';
import type { KeyVerifier } from './keys.js';
import type { JwtVerifier } from './jwt.js';
import type { TicketOutcome } from './tickets.js';

export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; reason: string };

/**
 * Resolve the caller from `Authorization: Bearer <api key | JWT>` or `X-API-Key: <api key>`.
 * No credentials: anonymous. Credentials that do not verify are an error (never anonymous).
 */
export class Authenticator {
  constructor(
    private readonly keys: KeyVerifier,
    private readonly jwt: JwtVerifier | null,
    private readonly tickets: ((ticket: string) => Promise<TicketOutcome>) | null = null,
  ) {}

  /** A stream ticket (`?ticket=`) acts as the API key it was issued for. */
  async authenticateTicket(ticket: string): Promise<AuthOutcome> {
    if (!this.tickets) return { ok: false, reason: 'stream tickets are not enabled' };
    const t = await this.tickets(ticket);
    return t.ok ? { ok: true, principal: { actor: `key:${t.keyId}`, role: t.role, via: 'key' } } : { ok: false, reason: t.reason };
  }

  async authenticate(headers: { authorization?: string; 'x-api-key'?: string | string[] }): Promise<AuthOutcome> {
    const token = bearer(headers.authorization) ?? (typeof headers['x-api-key'] === 'string' ? headers['x-api-key'] : undefined);
    if (token === undefined) return { ok: true, principal: ANONYMOUS };
    if (token.startsWith('btk_')) {
      const k = await this.keys.verify(token);
      return k ? { ok: true, principal: { actor: `key:${k.id}`, role: k.role, via: 'key' } } : { ok: false, reason: 'unknown or revoked API key' };
    }
    if (!this.jwt) return { ok: false, reason: 'bearer tokens other than API keys are not enabled' };
    const r = this.jwt.verify(token);
    return r.ok ? { ok: true, principal: { actor: `jwt:${r.sub}`, role: r.role, via: 'jwt' } } : { ok: false, reason: `JWT rejected: ${r.reason}` };
  }
}

function bearer(h: string | undefined): string | undefined {
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}
