/**
 * Serve embedded PGlite-TimescaleDB over the PostgreSQL wire protocol as its own process, so it
 * can be stopped and restarted like a database server (reliability tests, local experiments).
 *
 *   node --import tsx platform/src/bin/pglite-server.ts --data-dir ./data/pg --port 5433 [--host 127.0.0.1] [--migrate]
 *
 * One connection at a time (others queue): clients must use a pool of one (DATABASE_POOL_MAX=1).
 * Prints one JSON line {"ready":true,"url":...} on stdout when listening. SIGTERM / SIGINT close
 * the database cleanly. Not for production: PGlite does not fsync. See servePglite().
 */
import { parseArgs } from 'node:util';
import { createTimescalePglite, migrate, wrapPglite } from '../db.js';
import { createLogger } from '../logger.js';
import { servePglite } from '../pglite-server.js';
import { onShutdown } from '../shutdown.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    port: { type: 'string', default: '5433' },
    host: { type: 'string', default: '127.0.0.1' },
    migrate: { type: 'boolean', default: false },
  },
});
const log = createLogger({ name: 'pglite-server', level: 'warn', destination: process.stderr });
const dataDir = values['data-dir'] ?? null;
const pgl = await createTimescalePglite(dataDir);
if (values.migrate) await migrate(wrapPglite(pgl), log);
const server = await servePglite(pgl, { host: values.host, port: Number(values.port), log });
process.stdout.write(`${JSON.stringify({ ready: true, url: server.url, dataDir })}\n`);

onShutdown(
  [
    ['wire server', () => server.stop()],
    ['database', () => pgl.close()],
  ],
  { log },
);
