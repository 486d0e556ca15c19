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
    /** The route also accepts a stream ticket in `?ticket=` (EventSource cannot send headers). */
    ticket?: boolean;
    /** Send an ETag and answer If-None-Match with 304 (reference data). */
    etag?: boolean;
  }
  interface FastifyInstance {
    /** Every route with the access it requires (for the role-matrix test and audits of the API). */
    routeTable(): { method: string | string[]; url: string; access: Access }[];
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
  /** Call after committing a change that published events: delivers webhooks without waiting for the next poll. */
  nudge: () => void;
}

/** A resource plugin: zod route schemas, typed request/response; `D`: extra options beside ApiDeps. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type ApiPlugin<D = {}> = FastifyPluginAsyncZod<ApiDeps & D & { prefix?: string }>;
