import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { PGlite } from '@electric-sql/pglite';

export interface PgliteWireServer {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Serve a PGlite(-TimescaleDB) instance over the PostgreSQL wire protocol, so the production
 * `pg` code path can run against it. It serves one connection at a time (others queue).
 */
export async function servePglite(db: PGlite, opts: { host?: string; port: number }): Promise<PgliteWireServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = new PGLiteSocketServer({ db, host, port: opts.port, connectionQueueTimeout: 60_000 });
  await server.start();
  return {
    port: opts.port,
    url: `postgresql://postgres@${host}:${opts.port}/postgres?sslmode=disable`,
    stop: () => server.stop(),
  };
}
