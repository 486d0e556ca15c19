import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Logger } from '@basin/platform';
import { TwinErrors } from '../errors.js';

/** The built viewer at / (public), its client-side routes, and the catalogue 404 for the rest. */
export const viewerPlugin = async (app: FastifyInstance, opts: { viewerDir: string; log: Logger }) => {
  // Every route of this context (the static files) is public: the page holds no data.
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), access: 'public' } as typeof route.config;
  });
  const served = existsSync(opts.viewerDir);
  if (served) {
    await app.register(fastifyStatic, { root: opts.viewerDir, prefix: '/', wildcard: false });
  } else {
    opts.log.warn({ viewerDir: opts.viewerDir }, 'viewer build not found; run `npm run build` (API still served)');
  }
  app.setNotFoundHandler((req, reply) => {
    const pathname = req.url.split('?')[0] ?? '';
    if (served && req.method === 'GET' && !pathname.startsWith('/api/') && !pathname.startsWith('/docs')) return reply.sendFile('index.html');
    const e = TwinErrors.ROUTE_NOT_FOUND(req.method, pathname);
    return reply.status(e.status).send(e.toJSON());
  });
};
