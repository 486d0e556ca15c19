import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertStations, type DatabaseSettings, type Db } from '@basin/platform';
import { Station } from '@basin/schemas';
import { systemClock } from '../src/state/clock.js';
import { TwinState } from '../src/state/twin.js';
import { silent, startTimescale, testDb } from './helpers.js';
import type { TestTimescale } from '@basin/platform/testing';

const H = 3_600_000;
const T0 = Date.now() - 6 * H;

/** Commit readings as ingest does: readings and latest values in one transaction. */
async function commit(db: Db, rows: { station: string; metric: string; value: number; ts: number }[]): Promise<void> {
  await db.transaction(async (tx) => {
    const args = [rows.map((r) => new Date(r.ts).toISOString()), rows.map((r) => r.station), rows.map((r) => r.metric), rows.map((r) => r.value)];
    await tx.query(`INSERT INTO readings (time, station, metric, value, quality) SELECT t, s, m, v, 1 FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[]) AS u(t, s, m, v) ON CONFLICT DO NOTHING`, args);
    await tx.query(
      `INSERT INTO latest_readings AS l (station, metric, time, value, quality, received_at)
       SELECT DISTINCT ON (s, m) s, m, t, v, 1, now() FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[]) AS u(t, s, m, v) ORDER BY s, m, t DESC
       ON CONFLICT (station, metric) DO UPDATE SET time = EXCLUDED.time, value = EXCLUDED.value WHERE l.time <= EXCLUDED.time`,
      args,
    );
  });
}

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const opts = { staleMs: 24 * H, historyMs: 3 * H };

describe.each(['embedded', 'server'] as const)('twin state on %s TimescaleDB', (kind) => {
  let ts: TestTimescale | undefined;
  let db: Db;
  let settings: DatabaseSettings;
  let twin: TwinState;

  beforeAll(async () => {
    if (kind === 'server') ts = await startTimescale();
    db = await testDb(kind, ts);
    settings = kind === 'server' ? { mode: 'server', connectionString: ts!.url.replace(/\/[^/]*$/, `/${(await db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d}`), poolMax: 2 } : { mode: 'embedded', dataDir: null };
    await commit(db, [0, 1, 2].map((h) => ({ station: 'hankou', metric: 'water_level', value: 25 + h * 0.2, ts: T0 + h * H })));
    twin = new TwinState(db, settings, systemClock, opts, silent);
    await twin.start();
  }, 180_000);
  afterAll(async () => {
    await twin?.stop();
    await db?.close();
    await ts?.dispose();
  });

  it('rebuilds the latest values and trends from the database', () => {
    const m = twin.live.stations.get('hankou')!.metrics.get('water_level')!;
    expect(m.value).toBeCloseTo(25.4);
    expect(m.trendPerH).toBeCloseTo(0.2, 6);
    expect(twin.model.reachOf('hankou')!.id).toBe('yangtze:han-mouth-huangshi');
  });

  it('hears committed readings through LISTEN/NOTIFY', async () => {
    await commit(db, [
      { station: 'hankou', metric: 'water_level', value: 25.6, ts: T0 + 3 * H },
      { station: 'yichang', metric: 'discharge', value: 30000, ts: T0 + 3 * H },
    ]);
    await until(() => twin.live.stations.get('yichang') !== undefined && twin.live.stations.get('hankou')!.metrics.get('water_level')!.value > 25.5);
    expect(twin.live.stations.get('hankou')!.metrics.get('water_level')!.trendPerH).toBeCloseTo(0.2, 6);
  });

  it('hears device last wills', async () => {
    await db.query(`INSERT INTO device_status (client, state, kind, since, detail) VALUES ('yichang', 'offline', 'station', now(), '{}')`);
    await until(() => twin.live.stations.get('yichang')!.online === false);
  });

  it('puts a station provisioned at run time into the model without a restart', async () => {
    const st = Station.parse({
      id: 'syn-wq-42', name: { zh: '新站', en: 'new station' }, kind: 'water_quality', location: { lon: 113.9, lat: 30.03 }, river: 'Yangtze',
      metrics: ['nh3n'], jurisdiction: { admin: '湖北省武汉市', owner: 'test' },
    });
    await upsertStations(db, [st]);
    await until(() => twin.model.stations.has('syn-wq-42'));
    expect(twin.model.stationsOf(twin.model.reachOf('syn-wq-42')!.id)).toContain('syn-wq-42');
  });

  it('a restart rebuilds the same state', async () => {
    await twin.settled();
    const again = new TwinState(db, settings, systemClock, opts, silent);
    await again.start();
    try {
      const a = twin.live.snapshot().filter((s) => s.lastTs !== null);
      const b = again.live.snapshot().filter((s) => s.lastTs !== null);
      expect(b).toEqual(a);
      expect([...again.model.stations.keys()].sort()).toEqual([...twin.model.stations.keys()].sort());
    } finally {
      await again.stop();
    }
  });
});
