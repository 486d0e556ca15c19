/**
 * The thin path end to end: simulator publishes -> Mosquitto -> ingest -> TimescaleDB row ->
 * HTTP API returns it. Once on embedded PGlite-TimescaleDB, once on the production path: a
 * private TimescaleDB server (durable, background jobs in the server) through a `pg` pool.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatestReading } from '@basin/schemas';
import { createLogger, migrate, type Db } from '@basin/platform';
import { BACKENDS, openTestDb, startMosquitto, type TestDb, type TestMosquitto } from '@basin/platform/testing';
import * as ingest from '@basin/ingest';
import * as twin from '@basin/twin-engine';
import * as sim from '@basin/sensors-sim';

const log = createLogger({ level: 'silent' });

async function waitFor<T>(fn: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.each(BACKENDS)('thin path on %s TimescaleDB', (mode) => {
  let broker: TestMosquitto;
  let testDb: TestDb;
  let db: Db;
  let services: { stop(): Promise<void> }[] = [];
  let apiUrl = '';

  beforeAll(async () => {
    [broker, testDb] = await Promise.all([startMosquitto(), openTestDb(mode)]);
    db = testDb.db;
    await migrate(db);
    const env = { MQTT_URL: broker.url, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', INGEST_METRICS_PORT: '0', VIEWER_DIR: '/nonexistent' };
    const ing = await ingest.start({ config: ingest.loadConfig({ ...env, INGEST_CLIENT_ID: `e2e-ingest-${mode}` }), db, log, mqttUrl: broker.url });
    // on a server the twin's LISTEN connection needs the database's address (its own client, not the pool)
    const tw = await twin.start({ config: twin.loadConfig({ ...env, API_ANONYMOUS_READ: 'true', ...(testDb.url ? { DATABASE_URL: testDb.url } : {}) }), db, log });
    apiUrl = tw.url;
    const sm = await sim.start({ config: sim.loadConfig({ ...env, SIM_INTERVAL_S: '10', SIM_SPEED: '1', SIM_OUTBOX_DIR: mkdtempSync(path.join(tmpdir(), 'basin-outbox-')), SIM_CLIENT_ID: `e2e-sim-${mode}` }), log, mqttUrl: broker.url });
    services = [sm, ing, tw];
  });

  afterAll(async () => {
    for (const s of services) await s.stop().catch(() => undefined);
    await testDb?.close();
    await broker?.dispose();
  });

  it('serves the readings the simulator published', async () => {
    const latest = await waitFor(async () => {
      const r = await fetch(`${apiUrl}/api/readings/latest?station=hankou`);
      const body = (await r.json()) as LatestReading[];
      return body.some((x) => x.metric === 'water_level') ? body : null;
    }, 60_000);
    const level = latest.find((x) => x.metric === 'water_level')!;
    expect(level.station).toBe('hankou');
    expect(Number.isFinite(level.value)).toBe(true);
    expect(Date.parse(level.time)).toBeGreaterThan(Date.now() - 3_600_000);

    // The row is in the hypertable, and the series endpoint returns it.
    const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM readings WHERE station = 'hankou' AND metric = 'water_level'`);
    expect(rows.rows[0]!.n).toBeGreaterThan(0);
    const series = (await (await fetch(`${apiUrl}/api/stations/hankou/readings?metric=water_level`)).json()) as { points: { value: number }[] };
    expect(series.points.map((p) => p.value)).toContain(level.value);
  });
});
