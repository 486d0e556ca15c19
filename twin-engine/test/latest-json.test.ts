import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@basin/platform';
import { buildApp, loadConfig } from '../src/index.js';
import { systemClock } from '../src/state/clock.js';
import { TwinState } from '../src/state/twin.js';
import { bearer, roleKeys, silent, testDb } from './helpers.js';

// The latest readings answered from the live state must be the same text as the database builds
// from latest_readings: at start (rebuilt), after new, late and duplicate readings (notified).
let db: Db;
let fromDb: FastifyInstance;
let fromTwin: FastifyInstance;
let twin: TwinState;
let auth: Record<string, string>;
const now = Date.now();
const at = (minAgo: number) => `to_timestamp(${(now - minAgo * 60_000) / 1000})`;

/** Write readings as ingest does: the readings, then latest_readings advanced where newer. */
async function ingest(rows: [minAgo: number, station: string, metric: string, value: number, quality: number][]): Promise<void> {
  const values = rows.map(([m, s, k, v, q]) => `(${at(m)}, '${s}', '${k}', ${v}, ${q}, ${at(m - 0.01)})`).join(',');
  await db.exec(`
    INSERT INTO readings (time, station, metric, value, quality, received_at) VALUES ${values} ON CONFLICT DO NOTHING;
    INSERT INTO latest_readings AS l (station, metric, time, value, quality, received_at)
      SELECT DISTINCT ON (station, metric) station, metric, time, value, quality, received_at FROM readings ORDER BY station, metric, time DESC
    ON CONFLICT (station, metric) DO UPDATE SET time = excluded.time, value = excluded.value, quality = excluded.quality, received_at = excluded.received_at
      WHERE excluded.time > l.time;`);
  await twin.settled();
  await new Promise((r) => setTimeout(r, 50));
  await twin.settled();
}

beforeAll(async () => {
  db = await testDb('embedded');
  twin = new TwinState(db, { mode: 'embedded', dataDir: null }, systemClock, loadConfig({ VIEWER_DIR: '/nonexistent' }).twin, silent);
  await ingest([
    [60, 'hankou', 'water_level', 27.1, 1],
    [30, 'hankou', 'water_level', 27.25, 3],
    [30, 'hankou', 'discharge', 51000, 1],
    [10, 'wq-qixing', 'nh3n', 1.2, 4],
    [10, 'wq_qixing', 'ph', 7.1, 0],
    [5, 'wqqixing', 'do', 6.4, 1],
  ]);
  await twin.start();
  const config = loadConfig({ VIEWER_DIR: '/nonexistent' });
  fromDb = await buildApp({ config, db, log: silent });
  fromTwin = await buildApp({ config, db, log: silent, twin });
  auth = bearer((await roleKeys(db)).viewer);
});
afterAll(async () => {
  await fromTwin?.close();
  await fromDb?.close();
  await twin?.stop();
  await db?.close();
});

const QUERIES = ['', '?station=hankou', '?metric=water_level', '?station=wqqixing&station=hankou&station=hankou', '?station=nowhere', '?metric=tp'];

async function expectSame(): Promise<void> {
  for (const qs of QUERIES) {
    const [a, b] = await Promise.all([fromDb, fromTwin].map((app) => app.inject({ url: `/api/readings/latest${qs}`, headers: auth })));
    expect(b!.statusCode, qs).toBe(200);
    expect(b!.headers['content-type']).toBe(a!.headers['content-type']);
    expect(JSON.parse(b!.body), qs).toEqual(JSON.parse(a!.body));
  }
}

describe('latest readings from the live state', () => {
  it('gives the database answer after a rebuild, in code-point order', async () => {
    await expectSame();
    const body = (await fromTwin.inject({ url: '/api/readings/latest', headers: auth })).json<{ station: string; metric: string; quality: string }[]>();
    expect(body.map((r) => `${r.station}/${r.metric}`)).toEqual(['hankou/discharge', 'hankou/water_level', 'wq-qixing/nh3n', 'wq_qixing/ph', 'wqqixing/do']);
    expect(body.find((r) => r.metric === 'water_level')!.quality).toBe('suspect');
  });

  it('follows newer, late and duplicate readings and new stations as the database does', async () => {
    await ingest([
      [1, 'hankou', 'water_level', 27.4, 1],
      [45, 'hankou', 'discharge', 49000, 1],
      [10, 'wq-qixing', 'nh3n', 9.9, 1],
      [2, 'yichang', 'discharge', 30500.5, 1],
    ]);
    await expectSame();
    const wl = (await fromTwin.inject({ url: '/api/readings/latest?station=hankou&metric=water_level', headers: auth })).json<{ value: number }[]>();
    expect(wl).toMatchObject([{ value: 27.4 }]);
  });
});
