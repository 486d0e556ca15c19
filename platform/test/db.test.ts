import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { BASIN_STATIONS } from '@basin/schemas';
import { loadStations, migrate, openServerDb, upsertStations, type Db } from '../src/index.js';
import { BACKENDS, openTestDb, type TestDb } from '../src/testing/backends.js';

/**
 * The same migrations and queries on both code paths: embedded PGlite-TimescaleDB, and the
 * production `pg` pool against a private TimescaleDB server.
 */
describe.each(BACKENDS)('database on %s TimescaleDB', (backend) => {
  let tdb: TestDb;
  let db: Db;

  beforeAll(async () => {
    tdb = await openTestDb(backend, { poolMax: 4 });
    db = tdb.db;
  });
  afterAll(async () => {
    await tdb?.close();
  });

  it('migrations apply once, then are idempotent', async () => {
    const first = await migrate(db);
    expect(first).toContain('001_core.sql');
    expect(await migrate(db)).toEqual([]);
    const ht = await db.query<{ hypertable_name: string }>(`SELECT hypertable_name FROM timescaledb_information.hypertables`);
    expect(ht.rows.map((r) => r.hypertable_name)).toContain('readings');
  });

  it('station registry round-trips', async () => {
    await upsertStations(db, BASIN_STATIONS);
    await upsertStations(db, BASIN_STATIONS); // idempotent
    const back = await loadStations(db);
    expect(back).toHaveLength(BASIN_STATIONS.length);
    expect(back.find((s) => s.id === 'hankou')).toEqual(BASIN_STATIONS.find((s) => s.id === 'hankou'));
  });

  it('a failing transaction rolls back', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO readings (time, station, metric, value) VALUES (now(), 'rollback-test', 'ph', 7)`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM readings WHERE station = 'rollback-test'`);
    expect(r.rows[0]?.n).toBe(0);
  });
});

/** Only a server has several connections and can crash under them. */
describe('database on a TimescaleDB server: concurrency and crashes', () => {
  let tdb: TestDb;
  let db: Db;

  beforeAll(async () => {
    tdb = await openTestDb('server', { poolMax: 4 });
    db = tdb.db;
    await migrate(db);
  });
  afterAll(async () => {
    await tdb?.close();
  });

  it('several migrating processes at once apply each migration once (advisory lock)', async () => {
    const url = await tdb.server!.createDatabase();
    const pools = Array.from({ length: 3 }, () => openServerDb({ mode: 'server', connectionString: url, poolMax: 2 }));
    try {
      const applied = await Promise.all(pools.map((p) => migrate(p)));
      expect(applied.flat().filter((m) => m === '001_core.sql')).toHaveLength(1);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });

  it('a client that dies inside a transaction leaves nothing behind; the pool survives a server crash', async () => {
    const c = new pg.Client({ connectionString: tdb.url! });
    c.on('error', () => undefined); // its connection is cut on purpose below
    await c.connect();
    await c.query('BEGIN');
    await c.query(`INSERT INTO readings (time, station, metric, value) VALUES (now(), 'abandoned', 'ph', 7)`);
    (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM readings WHERE station = 'abandoned'`);
    expect(n.rows[0]?.n).toBe(0);
    // crash the server under the pool's idle connections: the process survives, queries resume
    await db.query(`INSERT INTO readings (time, station, metric, value) VALUES (now(), 'before-crash', 'ph', 7)`);
    await tdb.server!.crash();
    await expect(db.query('SELECT 1')).rejects.toThrow();
    await tdb.server!.start();
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = await db.query('SELECT 1').then(
        () => true,
        async () => (await new Promise((r) => setTimeout(r, 100)), false),
      );
    }
    const after = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM readings WHERE station = 'before-crash'`);
    expect(after.rows[0]?.n).toBe(1);
  });
});
