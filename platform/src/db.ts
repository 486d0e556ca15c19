import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import type { DatabaseSettings } from './config.js';
import { PlatformErrors } from './errors.js';
import type { Logger } from './logger.js';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** What services need of a database, on embedded PGlite-TimescaleDB or a TimescaleDB server. */
export interface Queryable {
  /** One parameterised statement. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Several statements without parameters (simple query protocol). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'embedded' | 'server';
  /** Run fn in a transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The PGlite instance behind an embedded Db (for serving it over the wire). */
export interface EmbeddedDb extends Db {
  readonly kind: 'embedded';
  readonly pglite: PGlite;
}

/** Create PGlite with TimescaleDB; dataDir null keeps it in memory. Never fsyncs: not for production. */
export async function createTimescalePglite(dataDir: string | null): Promise<PGlite> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // Loaded on first use: a process that only wants a logger or a pg pool never loads the wasm build.
  const [{ PGlite }, { timescaledb }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/timescaledb')]);
  const pgl = await PGlite.create({ dataDir: dataDir ?? undefined, extensions: { timescaledb } });
  await pgl.exec('CREATE EXTENSION IF NOT EXISTS timescaledb;');
  // Reopening an existing data directory does not load the library (CREATE EXTENSION is then a
  // no-op): without it, inserts into hypertables and continuous aggregates fail.
  await pgl.exec(`LOAD 'timescaledb';`);
  return pgl;
}

export function wrapPglite(pgl: PGlite): EmbeddedDb {
  const q = (runner: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      const r = await runner.query<T>(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string) {
      await runner.exec(sql);
    },
  });
  const base = q(pgl);
  return {
    kind: 'embedded',
    pglite: pgl,
    ...base,
    transaction: (fn) => pgl.transaction((tx) => fn(q(tx))),
    close: () => pgl.close(),
  };
}

export async function openEmbeddedDb(dataDir: string | null): Promise<EmbeddedDb> {
  return wrapPglite(await createTimescalePglite(dataDir));
}

// `pg` is CommonJS: required on first use (synchronously, so openServerDb stays synchronous) rather
// than imported at the top, so that importing @basin/platform does not load it.
const requireCjs = createRequire(import.meta.url);
let pgModule: typeof pg | undefined;
const loadPg = (): typeof pg => (pgModule ??= requireCjs('pg') as typeof pg);

/**
 * Type parsers of this package's pools: int8 and numeric as JS numbers (counts, sequence numbers,
 * measured values), everything else as pg's defaults. Per pool — never pg.types.setTypeParser, which
 * would change every other pg client in the process.
 */
export function numericTypeParsers(pgm: typeof pg = loadPg()): pg.CustomTypesConfig {
  const { builtins, getTypeParser } = pgm.types;
  const asNumber = (v: string) => Number(v);
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      format !== 'binary' && (oid === builtins.INT8 || oid === builtins.NUMERIC) ? asNumber : getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
  };
}

export function openServerDb(settings: Extract<DatabaseSettings, { mode: 'server' }>, log?: Logger): Db {
  const pg = loadPg();
  const pool = new pg.Pool({
    types: numericTypeParsers(pg),
    connectionString: settings.connectionString,
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    max: settings.poolMax,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client's error (server restart) must not crash the process.
  pool.on('error', (err) => log?.warn({ err: err.message }, 'database pool client error'));
  const q = (runner: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      const r = await runner.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await runner.query(sql);
    },
  });
  return {
    kind: 'server',
    ...q(pool),
    async transaction(fn) {
      const client = await pool.connect();
      // A checked-out client that loses its connection between queries emits 'error': without a
      // listener that crashes the process. Note it, and discard the client on release.
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
        log?.warn({ err: err.message }, 'database connection lost during a transaction');
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const out = await fn(q(client));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        // If the connection is gone (or ROLLBACK fails), the client is not reusable.
        if (!broken) {
          await client.query('ROLLBACK').catch((re: unknown) => {
            broken = re as Error;
          });
        }
        throw e;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

export async function openDb(settings: DatabaseSettings, log?: Logger): Promise<Db> {
  try {
    if (settings.mode === 'embedded') return await openEmbeddedDb(settings.dataDir);
    const db = openServerDb(settings, log);
    await db.query('SELECT 1');
    return db;
  } catch (e) {
    throw PlatformErrors.DB_UNAVAILABLE(e);
  }
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3,}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.split('_')[0]), name: f, sql: readFileSync(path.join(dir, f), 'utf8') }));
}

const MIGRATION_LOCK = 7_311_2002;

/**
 * Apply pending versioned SQL migrations (platform/migrations/NNN_name.sql), each in its own
 * transaction; serialised across processes by an advisory lock. Returns the names applied.
 */
export async function migrate(db: Db, log?: Logger, migrations = loadMigrations()): Promise<string[]> {
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    // Under the lock: two processes creating it at once collide in pg_type (unique violation).
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        await tx.exec(m.sql);
        await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      } catch (e) {
        throw PlatformErrors.MIGRATION_FAILED(m.name, e);
      }
      applied.push(m.name);
      log?.info({ migration: m.name }, 'migration applied');
    }
  });
  return applied;
}
