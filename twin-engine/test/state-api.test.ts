import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@basin/platform';
import { buildApp, loadConfig } from '../src/index.js';
import { systemClock } from '../src/state/clock.js';
import { TwinState } from '../src/state/twin.js';
import { bearer, roleKeys, silent, testDb } from './helpers.js';

let db: Db;
let app: FastifyInstance;
let twin: TwinState;
let auth: Record<string, string>;
const now = Date.now();

beforeAll(async () => {
  db = await testDb('embedded');
  await db.exec(`INSERT INTO readings (time, station, metric, value, quality) VALUES
    (to_timestamp(${(now - 3_600_000) / 1000}), 'hankou', 'water_level', 27.0, 1),
    (to_timestamp(${now / 1000}), 'hankou', 'water_level', 27.5, 1),
    (to_timestamp(${now / 1000}), 'wq-qixing', 'nh3n', 1.2, 1);
    INSERT INTO latest_readings (station, metric, time, value, quality, received_at)
    SELECT DISTINCT ON (station, metric) station, metric, time, value, quality, now() FROM readings ORDER BY station, metric, time DESC;`);
  const config = loadConfig({ VIEWER_DIR: '/nonexistent' });
  twin = new TwinState(db, { mode: 'embedded', dataDir: null }, systemClock, config.twin, silent);
  await twin.start();
  app = await buildApp({ config, db, log: silent, twin });
  auth = bearer((await roleKeys(db)).viewer);
});
afterAll(async () => {
  await app?.close();
  await twin?.stop();
  await db?.close();
});

const get = (url: string) => app.inject({ url, headers: auth });

describe('state and model API', () => {
  it('serves the live state of a reach, classified', async () => {
    const r = await get('/api/state/stations?reach=yangtze:han-mouth-huangshi');
    expect(r.statusCode).toBe(200);
    const body = r.json<{ station: string; flood: { colour: string } | null; waterClass: string | null; metrics: Record<string, { trendPerH: number }> }[]>();
    expect(body.map((s) => s.station)).toEqual(['hankou', 'wq-qixing']);
    expect(body[0]!.flood!.colour).toBe('yellow');
    expect(body[0]!.metrics.water_level!.trendPerH).toBeCloseTo(0.5, 3);
    expect(body[1]!.waterClass).toBe('IV');
  });

  it('serves the basin summary', async () => {
    const r = await get('/api/state/summary');
    expect(r.statusCode).toBe(200);
    const j = r.json<{ basin: { online: number; floodColour: string }; reaches: Record<string, { worstWaterClass: string }> }>();
    expect(j.basin).toMatchObject({ online: 2, floodColour: 'yellow' });
    expect(j.reaches['yangtze:han-mouth-huangshi']!.worstWaterClass).toBe('IV');
  });

  it('answers paths and station places on the network', async () => {
    const p = (await get('/api/model/path?from=xiantao&to=intake-yujiatou')).json<{ downstream: boolean; km: number; travelHours: number }>();
    expect(p.downstream).toBe(true);
    const at = (id: string) => twin.model.pointOf(id)!.km;
    expect(p.km).toBeCloseTo(652 - at('xiantao') + at('intake-yujiatou') - 624, 6);
    const s = (await get('/api/model/stations/intake-baishazhou')).json<{ reach: string; downstream: { station: string }[] }>();
    expect(s.reach).toBe('yangtze:luoshan-han-mouth');
    expect(s.downstream.map((d) => d.station)).toContain('hankou');
    expect((await get('/api/model/stations/nope')).statusCode).toBe(404);
    expect((await get('/api/model/reaches')).json<unknown[]>().length).toBeGreaterThan(10);
  });
});
