import type { FastifyInstance } from 'fastify';
import type { Db, Logger } from '@basin/platform';
import { buildApp } from './app.js';
import type { TwinConfig } from './config.js';
import type { ReadinessCheck } from './http/health.js';

export interface TwinDeps {
  config: TwinConfig;
  db: Db;
  log: Logger;
  /** Extra readiness checks (e.g. the MQTT broker the reading feed uses). */
  readiness?: ReadinessCheck[];
}

export interface TwinService {
  readonly app: FastifyInstance;
  /** Base URL the HTTP server listens on. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Start the twin-engine: the HTTP API (and the viewer) listening on the configured address. */
export async function start(deps: TwinDeps): Promise<TwinService> {
  const log = deps.log.child({ component: 'twin-engine' });
  const app = await buildApp({ ...deps, log });
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
