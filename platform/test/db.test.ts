import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIN_STATIONS } from '@basin/schemas';
import { freePort, loadStations, migrate, openEmbeddedDb, openServerDb, servePglite, upsertStations, type Db, type EmbeddedDb } from '../src/index.js';
import type { PgliteWireServer } from '../src/pglite-server.js';

/**
 * The same migrations and queries on both code paths: embedded PGlite-TimescaleDB, and the
 * production `pg` pool against TimescaleDB served over the PostgreSQL wire protocol.
 */
describe('database on both code paths', () => {
  let embedded: EmbeddedDb;
  let wire: PgliteWireServer;
  let server: Db;
  let serverBacking: EmbeddedDb;

  beforeAll(async () => {
    embedded = await openEmbeddedDb(null);
    serverBacking = await openEmbeddedDb(null);
    wire = await servePglite(serverBacking.pglite, { port: await freePort() });
    server = openServerDb({ mode: 'server', connectionString: wire.url, poolMax: 1 });
  });
  afterAll(async () => {
    await server?.close();
    await wire?.stop();
    await serverBacking?.close();
    await embedded?.close();
  });

  it.each(['embedded', 'server'] as const)('%s: migrations apply once, then are idempotent', async (which) => {
    const db = which === 'embedded' ? embedded : server;
    const first = await migrate(db);
    expect(first).toContain('001_core.sql');
    expect(await migrate(db)).toEqual([]);
    const ht = await db.query<{ hypertable_name: string }>(`SELECT hypertable_name FROM timescaledb_information.hypertables`);
    expect(ht.rows.map((r) => r.hypertable_name)).toContain('readings');
  });

  it.each(['embedded', 'server'] as const)('%s: station registry round-trips', async (which) => {
    const db = which === 'embedded' ? embedded : server;
    await upsertStations(db, BASIN_STATIONS);
    await upsertStations(db, BASIN_STATIONS); // idempotent
    const back = await loadStations(db);
    expect(back).toHaveLength(BASIN_STATIONS.length);
    expect(back.find((s) => s.id === 'hankou')).toEqual(BASIN_STATIONS.find((s) => s.id === 'hankou'));
  });

  it('server: carries protocol messages far larger than one socket read (a 5,000-row batch)', async () => {
    const ts = Array.from({ length: 5000 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString());
    const r = await server.query(`INSERT INTO readings (time, station, metric, value) SELECT t, 'wire-big', 'ph', 7 FROM unnest($1::timestamptz[]) t`, [ts]);
    expect(r.rowCount).toBe(5000);
    const n = await server.query<{ n: number }>(`SELECT count(*)::int AS n FROM readings WHERE station = 'wire-big'`);
    expect(n.rows[0]?.n).toBe(5000);
  });

  it('server: a client that dies inside a transaction leaves the session clean for the next', async () => {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: wire.url });
    c.on('error', () => undefined); // its connection is cut on purpose below
    await server.close(); // release the pool's connection: the server serves one at a time
    await c.connect();
    await c.query('BEGIN');
    await c.query(`INSERT INTO readings (time, station, metric, value) VALUES (now(), 'abandoned', 'ph', 7)`);
    (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    server = openServerDb({ mode: 'server', connectionString: wire.url, poolMax: 1 });
    const n = await server.query<{ n: number }>(`SELECT count(*)::int AS n FROM readings WHERE station = 'abandoned'`);
    expect(n.rows[0]?.n).toBe(0);
    await server.query('BEGIN');
    await server.query('COMMIT'); // no "transaction already in progress" warning state left behind
  });

  it.each(['embedded', 'server'] as const)('%s: a failing transaction rolls back', async (which) => {
    const db = which === 'embedded' ? embedded : server;
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
