import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Db, Logger } from '@basin/platform';
import type { Access, Principal } from '../auth/roles.js';
import type { TwinConfig } from '../config.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may call the route: 'public' or the least role ('viewer' | 'operator' | 'admin').
     * Omitted: GET/HEAD need 'viewer', every other method 'admin'.
     */
    access?: Access;
    /** Send an ETag and answer If-None-Match with 304 (reference data). */
    etag?: boolean;
  }
  interface FastifyRequest {
    /** The authenticated caller (anonymous when no credentials were sent). */
    principal: Principal;
  }
}

/** What every resource plugin receives (register with `{ prefix: '/api', ...deps }`). */
export interface ApiDeps {
  config: TwinConfig;
  db: Db;
  log: Logger;
}

/** A resource plugin: zod route schemas, typed request/response. */
export type ApiPlugin<D = ApiDeps> = FastifyPluginAsyncZod<D & { prefix?: string }>;
