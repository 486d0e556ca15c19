import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { decide, defaultAccess, ANONYMOUS, type Access } from '../auth/roles.js';
import type { Authenticator } from '../auth/authenticate.js';
import { TwinErrors } from '../errors.js';

/** The access a route requires (its `config.access`, else the default for its method). */
export function routeAccess(method: string, config: { access?: Access } | undefined): Access {
  return config?.access ?? defaultAccess(method);
}

/**
 * Authentication and role check for every route, before validation: resolves `req.principal`
 * and refuses with 401 (no or bad credentials) or 403 (role too low).
 */
export const accessControl = fp(async (app: FastifyInstance, opts: { auth: Authenticator; anonymousRead: boolean; routes: RouteOptions[] }) => {
  app.decorateRequest('principal', { getter: () => ANONYMOUS });
  // Every route registered from here on, for the role-matrix test (access read when it runs:
  // plugins registered later may still set it).
  app.addHook('onRoute', (route) => void opts.routes.push(route));
  app.addHook('onRequest', async (req) => {
    const ticket = req.routeOptions.config?.ticket ? (req.query as { ticket?: unknown } | undefined)?.ticket : undefined;
    const outcome = typeof ticket === 'string' && !req.headers.authorization && !req.headers['x-api-key'] ? await opts.auth.authenticateTicket(ticket) : await opts.auth.authenticate(req.headers);
    if (!outcome.ok) throw TwinErrors.UNAUTHENTICATED(outcome.reason);
    Object.defineProperty(req, 'principal', { value: outcome.principal, enumerable: true });
    if (req.is404) return;
    const access = routeAccess(req.method, req.routeOptions.config);
    const verdict = decide(access, outcome.principal, opts.anonymousRead);
    if (verdict === 'unauthenticated') throw TwinErrors.UNAUTHENTICATED('send an API key or bearer token');
    if (verdict === 'forbidden') throw TwinErrors.FORBIDDEN(access, outcome.principal.role ?? 'none');
  });
});
