import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../net.js';

const run = promisify(execFile);

/**
 * A private TimescaleDB server for integration tests and benchmarks, on a free port, in a temp
 * directory: durable (fsync and synchronous_commit on, as production), background jobs running in
 * the server. Tests crash it (`pg_ctl -m immediate stop`), stop it and start it again.
 * Needs PostgreSQL with TimescaleDB installed (`scripts/install-timescaledb.sh`). initdb skips its
 * final fsync (a test crashes the server, never the machine); the server itself fsyncs.
 */
export interface TestTimescale {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  readonly url: string;
  readonly database: string;
  readonly dir: string;
  /** Crash: immediate shutdown, no checkpoint (recovery on the next start). */
  crash(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** A fresh, empty database on the same server (suites that need isolation). */
  createDatabase(name?: string): Promise<string>;
  dispose(): Promise<void>;
}

export interface TimescaleOptions {
  port?: number;
  database?: string;
  /** Extra postgresql.conf lines. */
  settings?: Record<string, string | number>;
}

/** Finds PostgreSQL's bin directory with TimescaleDB installed, or null. */
export function findTimescale(): { bin: string } | null {
  const roots = ['/usr/lib/postgresql'];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const major of readdirSync(root).sort().reverse()) {
      const bin = path.join(root, major, 'bin');
      const lib = path.join(root, major, 'lib');
      if (existsSync(path.join(bin, 'initdb')) && existsSync(lib) && readdirSync(lib).some((f) => f.startsWith('timescaledb'))) return { bin };
    }
  }
  return null;
}

export const TIMESCALE_MISSING =
  'TimescaleDB for PostgreSQL is not installed: run `bash scripts/install-timescaledb.sh` (as root on Debian/Ubuntu), or install Timescale\'s packages';

function asPostgres(): string[] {
  // PostgreSQL refuses to run as root: run it as the `postgres` user then.
  return userInfo().uid === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
}

async function pgCtl(bin: string, args: string[]): Promise<void> {
  const prefix = asPostgres();
  const cmd = [...prefix, path.join(bin, 'pg_ctl'), ...args];
  await run(cmd[0]!, cmd.slice(1), { timeout: 120_000 });
}

export async function startTimescale(opts: TimescaleOptions = {}): Promise<TestTimescale> {
  const found = findTimescale();
  if (!found) throw new Error(TIMESCALE_MISSING);
  const { bin } = found;
  const port = opts.port ?? (await freePort());
  const database = opts.database ?? 'basin';
  const dir = mkdtempSync(path.join(tmpdir(), 'basin-timescale-'));
  chmodSync(dir, 0o755);
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'pg');
  const prefix = asPostgres();
  const initdb = [...prefix, path.join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'];
  await run(initdb[0]!, initdb.slice(1), { timeout: 120_000 });
  const settings: Record<string, string | number> = {
    port,
    listen_addresses: "'127.0.0.1'",
    unix_socket_directories: `'${dir}'`,
    shared_preload_libraries: "'timescaledb'",
    'timescaledb.telemetry_level': 'off',
    max_connections: 100,
    fsync: 'on',
    synchronous_commit: 'on',
    ...opts.settings,
  };
  appendFileSync(path.join(data, 'postgresql.conf'), Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  const log = path.join(dir, 'server.log');
  writeFileSync(log, '');
  if (userInfo().uid === 0) execFileSync('chown', ['postgres', log]);
  let running = false;
  const start = async () => {
    if (running) return;
    await pgCtl(bin, ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
    running = true;
  };
  const stopWith = async (mode: 'fast' | 'immediate') => {
    if (!running) return;
    await pgCtl(bin, ['-D', data, '-m', mode, '-w', 'stop']);
    running = false;
  };
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  let n = 0;
  const createDatabase = async (name = `${database}_${process.pid}_${++n}`) => {
    await admin((c) => c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`));
    return `postgres://postgres@127.0.0.1:${port}/${name}`;
  };
  await start();
  await createDatabase(database);
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    database,
    dir,
    crash: () => stopWith('immediate'),
    stop: () => stopWith('fast'),
    start,
    createDatabase,
    async dispose() {
      await stopWith('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
