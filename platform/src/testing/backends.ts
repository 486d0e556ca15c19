import { openEmbeddedDb, openServerDb, type Db } from '../db.js';
import { startTimescale, type TestTimescale } from './timescale.js';

/**
 * The two database backends every data-path suite runs on: embedded PGlite-TimescaleDB (one
 * connection, no fsync, no background jobs) and a private TimescaleDB server (durable, pooled,
 * jobs in the server). `describe.each(BACKENDS)(...)` + `openTestDb(backend)`.
 */
export type Backend = 'embedded' | 'server';
export const BACKENDS: readonly Backend[] = ['embedded', 'server'];

export interface TestDb {
  readonly backend: Backend;
  readonly db: Db;
  /** postgres:// URL of the database (server backend), for processes and other pools; else null. */
  readonly url: string | null;
  /** The server (server backend): crash(), stop(), start(). */
  readonly server: TestTimescale | null;
  close(): Promise<void>;
}

// One server per test file (vitest isolates files), shared by its suites, each with its own database.
let shared: { server: Promise<TestTimescale>; users: number } | null = null;

async function acquireServer(): Promise<TestTimescale> {
  shared ??= { server: startTimescale(), users: 0 };
  shared.users++;
  return shared.server;
}

async function releaseServer(): Promise<void> {
  if (!shared || --shared.users > 0) return;
  const { server } = shared;
  shared = null;
  await (await server).dispose();
}

/** A fresh, empty database on the given backend (migrations not applied). */
export async function openTestDb(backend: Backend, opts: { poolMax?: number } = {}): Promise<TestDb> {
  if (backend === 'embedded') {
    const db = await openEmbeddedDb(null);
    return { backend, db, url: null, server: null, close: () => db.close() };
  }
  const server = await acquireServer();
  try {
    const url = await server.createDatabase();
    const db = openServerDb({ mode: 'server', connectionString: url, poolMax: opts.poolMax ?? 4 });
    let closed = false;
    return {
      backend,
      db,
      url,
      server,
      async close() {
        if (closed) return;
        closed = true;
        await db.close().catch(() => undefined);
        await releaseServer();
      },
    };
  } catch (e) {
    await releaseServer();
    throw e;
  }
}
