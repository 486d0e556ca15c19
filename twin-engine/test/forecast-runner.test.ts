import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, upsertStations, type DatabaseSettings, type Queryable } from '@basin/platform';
import { BACKENDS, openTestDb, type TestDb } from '@basin/platform/testing';
import { BASIN_STATIONS, type ForecastCrossing, type ForecastRunInfo } from '@basin/schemas';
import { crossingChanges } from '../src/forecast/changes.js';
import { BasinModel } from '../src/model/network.js';
import { ForecastRunner } from '../src/forecast/runner.js';
import { syntheticFlood } from '../src/forecast/testing.js';
import { ManualClock } from '../src/state/clock.js';
import { TwinState } from '../src/state/twin.js';
import { bearer, roleKeys, silent, testApp } from './helpers.js';

const H = 3_600_000;
const T0 = Date.parse('2026-07-01T00:00:00Z');
const flood = syntheticFlood(new BasinModel(BASIN_STATIONS), { t0: T0, peakAt: T0 + 72 * H, peak: 70_000, sigmaH: 18, hours: 200 });

/** The synthetic flood's readings of hours [from, to] (stage, discharge, dam outflow), and latest_readings. */
async function insertHours(q: Queryable, from: number, to: number): Promise<void> {
  const t: string[] = [], s: string[] = [], m: string[] = [], v: number[] = [];
  for (const [id, series] of flood) {
    for (const [metric, arr] of [['water_level', series.stage], ['discharge', series.discharge], ['outflow', series.outflow]] as const) {
      for (let i = from; i <= to && arr; i++) {
        t.push(new Date(T0 + i * H).toISOString());
        s.push(id);
        m.push(metric);
        v.push(arr[i]!);
      }
    }
  }
  await q.query(`INSERT INTO readings (time, station, metric, value, quality) SELECT t, s, m, v, 1 FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[]) AS u(t, s, m, v) ON CONFLICT DO NOTHING`, [t, s, m, v]);
  await q.query(`INSERT INTO latest_readings (station, metric, time, value, quality, received_at)
    SELECT DISTINCT ON (station, metric) station, metric, time, value, quality, now() FROM readings ORDER BY station, metric, time DESC
    ON CONFLICT (station, metric) DO UPDATE SET time = EXCLUDED.time, value = EXCLUDED.value`);
}

describe.each(BACKENDS)('forecast runner on %s', (backend) => {
  let tdb: TestDb;
  const procs: { twin: TwinState; runner: ForecastRunner; clock: ManualClock; heard: ForecastRunInfo[] }[] = [];
  const count = async (sql: string) => Number((await tdb.db.query<{ n: string }>(sql)).rows[0]!.n);

  beforeAll(async () => {
    tdb = await openTestDb(backend);
    await migrate(tdb.db);
    await upsertStations(tdb.db, BASIN_STATIONS);
    await insertHours(tdb.db, 0, 80);
    const settings: DatabaseSettings = tdb.url ? { mode: 'server', connectionString: tdb.url, poolMax: 2 } : { mode: 'embedded', dataDir: null };
    for (const holder of ['proc-a', 'proc-b']) {
      const clock = new ManualClock(T0 + 80 * H + 10 * 60_000);
      const twin = new TwinState(tdb.db, settings, clock, { staleMs: 24 * H, historyMs: 6 * H }, silent);
      await twin.start();
      const runner = new ForecastRunner({ db: tdb.db, log: silent, twin, holder, options: { quietMs: 60_000, maxWaitMs: 600_000 } });
      const heard: ForecastRunInfo[] = [];
      runner.onForecast((r) => heard.push(r));
      await runner.start();
      procs.push({ twin, runner, clock, heard });
    }
  }, 180_000);
  afterAll(async () => {
    for (const p of procs) {
      await p.runner.stop();
      await p.twin.stop();
    }
    await tdb?.close();
  });

  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(cond()).toBe(true);
  };

  it('one process produces a run; every process hears it with its predicted crossings', async () => {
    const [a, b] = procs as [(typeof procs)[0], (typeof procs)[0]];
    expect([a.runner.isLeader, b.runner.isLeader]).toEqual([true, false]);
    const [ra, rb] = await Promise.all([a.runner.runNow(), b.runner.runNow()]);
    expect(rb).toBeNull();
    expect(ra!.issuedAt).toBe(T0 + 80 * H);
    expect(await a.runner.runNow()).toBeNull(); // same inputs: same run id, stored once
    expect(await count(`SELECT count(*) AS n FROM forecasts`)).toBe(1);
    await until(() => a.heard.length === 1 && b.heard.length === 1);
    const run = b.heard[0]!;
    expect(run).toMatchObject({ id: ra!.id, kind: 'flood', modelVersion: 'muskingum-network/1', horizonH: 72 });
    const warning = run.crossings.filter((c) => c.level === 'warning' && c.crossingAt !== null).map((c) => c.station);
    expect(warning).toEqual(expect.arrayContaining(['jianli', 'luoshan']));
    expect(run.crossings.every((c) => ['fortification', 'warning', 'guaranteed', 'historical_max'].includes(c.level))).toBe(true);
    expect(run.crossings.some((c) => c.station === 'three-gorges')).toBe(false);
    // every predicted crossing of the first run is news: one forecast.crossing event each, on the stream too
    const predicted = run.crossings.filter((c) => c.crossingAt !== null).length;
    expect(await count(`SELECT count(*) AS n FROM webhook_events WHERE type = 'forecast.crossing'`)).toBe(predicted);
    expect(await count(`SELECT count(*) AS n FROM stream_events WHERE topic = 'forecast' AND type = 'forecast.crossing'`)).toBe(predicted);
  });

  it('stores 72 h of stage and discharge per gauge with bands that widen with lead time', async () => {
    const rows = (await tdb.db.query<{ lead_h: number; value: number; lower: number; upper: number }>(
      `SELECT lead_h, value, lower, upper FROM forecast_points WHERE station = 'hankou' AND metric = 'water_level' ORDER BY valid_at`,
    )).rows;
    expect(rows.map((r) => Number(r.lead_h))).toEqual(Array.from({ length: 72 }, (_, i) => i + 1));
    for (const r of rows) {
      expect(Number(r.lower)).toBeLessThan(Number(r.value));
      expect(Number(r.upper)).toBeGreaterThan(Number(r.value));
    }
    const width = (r: (typeof rows)[0]) => Number(r.upper) - Number(r.lower);
    expect(width(rows[71]!)).toBeGreaterThan(width(rows[0]!));
  });

  it('re-runs after the quiet period when a new upstream reading arrives (debounced)', async () => {
    const a = procs[0]!;
    await insertHours(tdb.db, 81, 81);
    await until(() => a.twin.applied > 0 && a.runner.stats.runs === 1);
    await a.twin.settled();
    a.clock.advance(59_000);
    await a.runner.settled();
    expect(await count(`SELECT count(*) AS n FROM forecasts`)).toBe(1);
    a.clock.advance(1_000);
    await a.runner.settled();
    expect(await count(`SELECT count(*) AS n FROM forecasts WHERE issued_at = '${new Date(T0 + 81 * H).toISOString()}'`)).toBe(1);
    expect(procs[1]!.runner.stats.runs).toBe(0);
    // the second run sends only what changed by an hour or more, not every crossing again
    const runs = (await tdb.db.query<{ events: ForecastCrossing[] }>(`SELECT events FROM forecasts ORDER BY issued_at`)).rows.map((r) => r.events);
    const changed = crossingChanges(runs[0]!, runs[1]!, H).length;
    expect(changed).toBeLessThan(runs[1]!.filter((c) => c.crossingAt !== null).length);
    expect(await count(`SELECT count(*) AS n FROM webhook_events WHERE type = 'forecast.crossing'`)).toBe(runs[0]!.filter((c) => c.crossingAt !== null).length + changed);
  });

  it('scores past runs as observations arrive: errors by lead time and crossing outcomes, served by the API', async () => {
    const a = procs[0]!;
    const first = (await tdb.db.query<{ id: string }>(`SELECT id FROM forecasts ORDER BY issued_at LIMIT 1`)).rows[0]!.id;
    await insertHours(tdb.db, 82, 160);
    await a.twin.settled();
    await a.runner.runNow();
    const scored = await count(`SELECT count(*) AS n FROM skill_ledger WHERE forecast_id = '${first}' AND station = 'hankou' AND metric = 'water_level'`);
    expect(scored).toBe(72);
    const jianli = (await tdb.db.query<{ outcome: string; timing_error_h: number; lead_h: number; observed_at: Date }>(
      `SELECT outcome, timing_error_h, lead_h, observed_at FROM crossing_skill WHERE forecast_id = '${first}' AND station = 'jianli' AND level = 'warning'`,
    )).rows[0]!;
    expect(jianli.outcome).toBe('hit');
    expect(Math.abs(Number(jianli.timing_error_h))).toBeLessThanOrEqual(12);
    expect(Number(jianli.lead_h)).toBeGreaterThan(0);
    const again = a.runner.stats.scoredPoints;
    await a.runner.runNow();
    expect(a.runner.stats.scoredPoints).toBe(again); // each point scored once

    const app = await testApp(tdb.db);
    try {
      const auth = bearer((await roleKeys(tdb.db)).viewer);
      const skill = (await app.inject({ url: '/api/forecasts/skill?station=jianli', headers: auth })).json<{ values: { metric: string; leadBucket: string; n: number; mae: number; rmse: number }[]; crossings: { level: string; hits: number; meanLeadH: number }[] }>();
      const short = skill.values.find((v) => v.metric === 'water_level' && v.leadBucket === '1-6h')!;
      expect(short.n).toBeGreaterThanOrEqual(6);
      expect(short.rmse).toBeGreaterThanOrEqual(short.mae);
      expect(skill.crossings.find((c) => c.level === 'warning')!.hits).toBeGreaterThanOrEqual(1);
      const latest = await app.inject({ url: '/api/forecasts?station=hankou', headers: auth });
      expect(latest.statusCode).toBe(200);
      const [hankou] = latest.json<{ station: string; forecastId: string; series: Record<string, unknown[]> }[]>();
      const newest = (await tdb.db.query<{ id: string }>(`SELECT id FROM forecasts ORDER BY issued_at DESC LIMIT 1`)).rows[0]!.id;
      expect(hankou).toMatchObject({ station: 'hankou', forecastId: newest });
      expect(hankou!.series.water_level).toHaveLength(72);
      const one = await app.inject({ url: `/api/forecasts/${first}`, headers: auth });
      expect(one.statusCode).toBe(200);
      expect(one.json<{ stations: unknown[]; modelVersion: string }>().stations.length).toBeGreaterThan(5);
      const missing = await app.inject({ url: '/api/forecasts/nope', headers: auth });
      expect([missing.statusCode, missing.json<{ code: string }>().code]).toEqual([404, 'FORECAST_NOT_FOUND']);
    } finally {
      await app.close();
    }
  });
});
