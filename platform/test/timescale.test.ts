import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startTimescale, type TestTimescale } from '../src/testing/timescale.js';

describe('private TimescaleDB server (test helper)', () => {
  let ts: TestTimescale;
  beforeAll(async () => {
    ts = await startTimescale();
  }, 120_000);
  afterAll(async () => {
    await ts?.dispose();
  });

  const query = async (sql: string) => {
    const c = new pg.Client({ connectionString: ts.url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };

  it('runs TimescaleDB durably and keeps committed rows across a crash', async () => {
    await query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    const [ext] = await query("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'");
    expect(ext.extversion).toMatch(/^2\./);
    const [fsync] = await query('SHOW fsync');
    expect(fsync.fsync).toBe('on');
    await query('CREATE TABLE t (ts timestamptz NOT NULL, v int)');
    await query("SELECT create_hypertable('t', 'ts')");
    await query("INSERT INTO t SELECT now() - i * interval '1 minute', i FROM generate_series(1, 100) i");
    await ts.crash();
    await expect(query('SELECT 1')).rejects.toThrow();
    await ts.start();
    const [row] = await query('SELECT count(*)::int AS n FROM t');
    expect(row.n).toBe(100);
  }, 120_000);

  it('creates isolated databases on the same server', async () => {
    const url = await ts.createDatabase();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const r = await c.query('SELECT current_database() AS d');
    await c.end();
    expect(url.endsWith(r.rows[0].d)).toBe(true);
  }, 60_000);
});
