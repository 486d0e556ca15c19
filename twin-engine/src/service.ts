import type { FastifyInstance } from 'fastify';
import type { Db, Logger } from '@basin/platform';
import type { TwinConfig } from './config.js';
import { buildServer } from './server.js';

export interface TwinDeps {
  config: TwinConfig;
  db: Db;
  log: Logger;
}

export interface TwinService {
  readonly app: FastifyInstance;
  /** Base URL the HTTP server listens on. */
  readonly url: string;
  stop(): Promise<void>;
}

export async function start(deps: TwinDeps): Promise<TwinService> {
  const log = deps.log.child({ component: 'twin-engine' });
  const app = await buildServer({ ...deps, log });
  await app.listen({ host: deps.config.http.host, port: deps.config.http.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : deps.config.http.port;
  const host = deps.config.http.host === '0.0.0.0' ? 'localhost' : deps.config.http.host;
  const url = `http://${host}:${port}`;
  log.info({ url }, 'twin-engine HTTP API listening');
  return {
    app,
    url,
    async stop() {
      await app.close();
    },
  };
}
