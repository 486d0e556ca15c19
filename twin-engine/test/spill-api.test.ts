import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@basin/platform';
import { BASIN_STATIONS } from '@basin/schemas';
import { buildApp, loadConfig } from '../src/index.js';
import { systemClock } from '../src/state/clock.js';
import { TwinState } from '../src/state/twin.js';
import { ForecastRunner } from '../src/forecast/runner.js';
import type { ForecastRunInfo } from '@basin/schemas';
import { bearer, roleKeys, silent, testDb } from './helpers.js';

let db: Db;
let app: FastifyInstance;
let twin: TwinState;
let keys: Record<string, string>;
let runner: ForecastRunner;
const heard: ForecastRunInfo[] = [];
const at = '2026-08-01T00:00:00Z';
const intakes = (river: string) => BASIN_STATIONS.filter((s) => s.kind === 'water_intake' && s.river === river).map((s) => s.id);

beforeAll(async () => {
  db = await testDb('embedded');
  const now = Date.now();
  await db.exec(`INSERT INTO readings (time, station, metric, value, quality) VALUES (to_timestamp(${now / 1000}), 'hankou', 'discharge', 30000, 1);
    INSERT INTO latest_readings (station, metric, time, value, quality, received_at) SELECT station, metric, time, value, quality, now() FROM readings;`);
  const config = loadConfig({ VIEWER_DIR: '/nonexistent' });
  twin = new TwinState(db, { mode: 'embedded', dataDir: null }, systemClock, config.twin, silent);
  await twin.start();
  app = await buildApp({ config, db, log: silent, twin });
  keys = await roleKeys(db);
  runner = new ForecastRunner({ db, log: silent, twin, holder: 'test' });
  runner.onForecast((r) => heard.push(r));
  await runner.start();
});
afterAll(async () => {
  await runner?.stop();
  await app?.close();
  await twin?.stop();
  await db?.close();
});

type Arrival = { station: string; kind: string; river: string; arrivalAt: string; peakAt: string; peakMgL: number; exceedsThreshold: boolean; dischargeFrom: string };
const spill = (body: object, key = keys.operator!) => app.inject({ method: 'POST', url: '/api/forecasts/spill', headers: bearer(key), payload: body });

describe('POST /api/forecasts/spill', () => {
  it('a Yangtze spill above Wuhan reaches every Yangtze intake, not the Han ones, earliest first', async () => {
    const r = await spill({ river: 'Yangtze', km: 500, at, massKg: 50_000, durationH: 2, bank: 'right' });
    expect(r.statusCode).toBe(200);
    const body = r.json<{ params: { thresholdMgL: number }; arrivals: Arrival[] }>();
    expect(body.params.thresholdMgL).toBe(1); // NH3-N class III
    const ids = body.arrivals.filter((a) => a.kind === 'water_intake').map((a) => a.station);
    expect(ids.sort()).toEqual(intakes('Yangtze').sort());
    const times = body.arrivals.map((a) => Date.parse(a.arrivalAt));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    for (const a of body.arrivals) expect(Date.parse(a.arrivalAt)).toBeGreaterThan(Date.parse(at));
    expect(body.arrivals.some((a) => a.dischargeFrom !== 'estimate')).toBe(true);
  });

  it('stores the run (audited) and announces its class crossings at the intakes to the rules', async () => {
    const r = await spill({ river: 'Yangtze', km: 600, at: new Date().toISOString(), massKg: 200_000, durationH: 1, bank: 'right' });
    const { forecastId, arrivals } = r.json<{ forecastId: string; arrivals: (Arrival & { peakMgL: number })[] }>();
    const hit = arrivals.find((a) => a.kind === 'water_intake' && a.peakMgL > 1.0)!;
    expect(hit).toBeDefined();
    for (let i = 0; i < 200 && !heard.some((h) => h.id === forecastId); i++) await new Promise((res) => setTimeout(res, 25));
    const run = heard.find((h) => h.id === forecastId)!;
    expect(run).toMatchObject({ kind: 'spill', modelVersion: 'advection-dispersion/1' });
    const iv = run.crossings.find((c) => c.station === hit.station && c.level === 'nh3n:IV')!;
    expect(iv.crossingAt).toBeGreaterThan(run.issuedAt);
    expect(iv.crossingAt).toBeLessThan(Date.parse(hit.peakAt));
    expect(run.crossings.find((c) => c.station === hit.station && c.level === 'nh3n:worse_than_V')!.crossingAt === null).toBe(hit.peakMgL <= 2.0);
    const audited = await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'forecast.spill' AND subject_id = $1`, [forecastId]);
    expect(Number(audited.rows[0]!.n)).toBe(1);
  });

  it('a Han spill reaches the Han intakes below it and the Yangtze below the mouth', async () => {
    const r = await spill({ river: 'Han', km: 600, at, massKg: 5_000 });
    const ids = r.json<{ arrivals: Arrival[] }>().arrivals.map((a) => a.station);
    for (const id of intakes('Han')) expect(ids).toContain(id);
    expect(ids).toContain('intake-yujiatou');
    expect(ids).not.toContain('intake-jinkou');
  });

  it.each([
    [{ at, massKg: 1 }, 'body.station'],
    [{ station: 'hankou', river: 'Yangtze', km: 1, at, massKg: 1 }, 'body.station'],
    [{ station: 'hankou', at, massKg: -1 }, 'body.massKg'],
  ])('bad input %j is a 400 naming %s', async (body, field) => {
    const r = await spill(body);
    expect(r.statusCode).toBe(400);
    expect(r.json<{ details: { field: string }[] }>().details.map((d) => d.field)).toContain(field);
  });

  it('needs an operator', async () => {
    expect((await spill({ station: 'hankou', at, massKg: 1 }, keys.viewer)).statusCode).toBe(403);
  });
});
