import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@basin/platform';
import { BASIN_STATIONS, type ForecastCrossing } from '@basin/schemas';
import { start, loadConfig } from '../src/index.js';
import { BasinModel } from '../src/model/network.js';
import { syntheticFlood } from '../src/forecast/testing.js';
import { silent, testDb } from './helpers.js';

/**
 * The wired 预报 → 预警 path in one twin-engine process: committed upstream readings -> LISTEN/NOTIFY
 * -> debounced forecast run (elected) -> NOTIFY basin_forecasts -> the evaluator's forecast rules ->
 * an alert before the gauge reaches its warning level, on embedded TimescaleDB.
 */
const H = 3_600_000;
const ISSUE = Math.floor(Date.now() / H) * H;
const T0 = ISSUE - 80 * H;
const flood = syntheticFlood(new BasinModel(BASIN_STATIONS), { t0: T0, peakAt: T0 + 72 * H, peak: 70_000, sigmaH: 18, hours: 81 });

describe('forecast rules in the twin-engine service', () => {
  let db: Db;
  let svc: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    db = await testDb('embedded');
    svc = await start({ config: loadConfig({ VIEWER_DIR: '/nonexistent', HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', WEBHOOKS_ENABLED: 'false', FORECAST_QUIET_S: '1', FORECAST_MAX_WAIT_S: '2' }), db, log: silent });
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
    await db?.close();
  });

  it('a run predicting a warning crossing within 24 h opens the forecast alert before the observation', async () => {
    const t: string[] = [], s: string[] = [], m: string[] = [], v: number[] = [];
    for (const [id, series] of flood) {
      for (const [metric, arr] of [['water_level', series.stage], ['discharge', series.discharge], ['outflow', series.outflow]] as const) {
        arr?.forEach((x, i) => {
          t.push(new Date(T0 + i * H).toISOString());
          s.push(id);
          m.push(metric);
          v.push(x);
        });
      }
    }
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO readings (time, station, metric, value, quality) SELECT t, s, m, v, 1 FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[]) AS u(t, s, m, v)`, [t, s, m, v]);
      // as ingest keeps it: the latest value per series
      await tx.query(`INSERT INTO latest_readings (station, metric, time, value, quality, received_at)
        SELECT DISTINCT ON (station, metric) station, metric, time, value, quality, now() FROM readings ORDER BY station, metric, time DESC`);
    });
    let soon: ForecastCrossing[] = [];
    for (let i = 0; i < 300 && soon.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const runs = await db.query<{ events: ForecastCrossing[] }>(`SELECT events FROM forecasts WHERE kind = 'flood' AND issued_at = $1`, [new Date(ISSUE).toISOString()]);
      soon = runs.rows.flatMap((r) => r.events).filter((c) => c.level === 'warning' && c.crossingAt !== null && c.crossingAt - c.issuedAt <= 24 * H);
    }
    expect(soon.length, 'a warning crossing within 24 h is predicted').toBeGreaterThan(0);
    const stations = soon.map((c) => c.station);
    let alerts: { station: string; state: string }[] = [];
    for (let i = 0; i < 200 && alerts.length < stations.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      alerts = (await db.query<{ station: string; state: string }>(`SELECT station, state FROM alerts WHERE rule_id = 'flood-forecast-warning' ORDER BY station`)).rows;
    }
    expect(alerts.map((a) => a.station).sort()).toEqual([...stations].sort());
    expect(alerts.every((a) => a.state === 'firing')).toBe(true);
  }, 90_000);
});
