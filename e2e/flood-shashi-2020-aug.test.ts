/**
 * Shashi in Three Gorges flood No. 5 (flood-2020-aug) through the whole system at high speed: the
 * simulator publishes the gauges and reservoirs hourly -> Mosquitto -> ingest -> a private
 * TimescaleDB server -> twin-engine (elected forecast runner, rule evaluator with the shipped rules
 * and plans), as e2e/flood-sequence-2020.test.ts does for July. Shashi must give, in order: a
 * forecast-based warning (flood-forecast-warning, on a stored forecast run issued before the
 * crossing), then the observed yellow warning (flood-level-gauges) resting on the first reading
 * at its 43.0 m warning level — about 2020-08-20 18:00 (published 43.08 m then,
 * schemas/data/domain/flood-2020-aug.json; the scenario's calibration is tested in
 * sensors-sim/src/flood-2020.test.ts) — with the plan's tasks (flood-gauge-yellow).
 *
 * Run: from 2020-08-15 00:00 (two days before the scenario's start: the forecast's 72 h window
 * has history) to 2020-08-19 06:00 as fast as it goes, then to 2020-08-21 00:00 (six hours past
 * the crossing) at 0.8 s per simulated hour or slower where a forecast run takes longer, so the
 * forecast issues a run every few simulated hours before the crossing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIN_STATIONS } from '@basin/schemas';
import { createLogger, migrate, type Db } from '@basin/platform';
import { openTestDb, startMosquitto, type TestDb, type TestMosquitto } from '@basin/platform/testing';
import * as ingest from '@basin/ingest';
import * as twin from '@basin/twin-engine';
import * as sim from '@basin/sensors-sim';

const log = createLogger({ level: 'silent' });
const HOUR = 3_600_000;
/** The scenario's hour 0. */
const T0 = Date.parse('2020-08-17T00:00:00+08:00');
const FROM_H = -48;
const FAST_UNTIL_H = 54;
const END_H = 96;
const PUBLISHED = { at: Date.parse('2020-08-20T18:00:00+08:00'), z: 43.08 };
const CROSSING_TOL_H = 8;
const pace = (runS: number) => Math.min(2, Math.max(0.8, (runS + 1) / 4));

const model = new twin.BasinModel(BASIN_STATIONS);
const WARNING = twin.levelOf(model.references.get('shashi')!, 'warning', T0)!;
const simStations = BASIN_STATIONS.filter((s) => s.kind === 'hydrology_gauge' || s.kind === 'reservoir');
const ms = (x: number | string | Date) => new Date(x).getTime();
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

/** flood-2020-aug as a run starting `h` hours from its start (hours moved; the readings are the same). */
function scenarioFrom(h: number): string {
  const s = sim.resolveScenario('flood-2020-aug');
  expect([s.pulses, s.rain, s.spills, s.airEpisodes, s.faults, s.gatewayOutages].every((l) => l.length === 0), 'only reservoirs carry times').toBe(true);
  const name = `flood-2020-aug-from-${h}h`;
  const doc = { ...s, name, reservoirs: s.reservoirs.map((r) => ({ ...r, atH: r.atH - h, ...(r.releaseAtH === undefined ? {} : { releaseAtH: r.releaseAtH - h }) })) };
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'basin-scenario-')), `${name}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

interface AlertRow {
  id: string;
  rule_id: string;
  station: string;
  severity: string;
  opened_at: Date;
  logged_at: Date;
  evidence: { readings: { ts: number; value: number; metric: string }[]; forecast?: { issuedAt: number; crossingAt: number | null } };
}

describe('flood-2020-aug through sim -> ingest -> twin-engine: Shashi forecast warning, then the observed yellow warning with plan tasks', () => {
  let broker: TestMosquitto;
  let testDb: TestDb;
  let db: Db;
  let tw: twin.TwinService;
  const services: { stop(): Promise<void> }[] = [];
  let alerts: AlertRow[] = [];
  let tasks: { alert_id: string; plan_id: string; station: string }[] = [];
  let crossed: { t: number; z: number } | undefined;

  const runSim = async (fromH: number, toH: number, speed: number, name: string) => {
    const env = { SIM_SCENARIO: scenarioFrom(fromH), SIM_SEED: '3', SIM_INTERVAL_S: '3600', SIM_SPEED: String(speed), SIM_OUTBOX_DIR: mkdtempSync(path.join(tmpdir(), 'basin-outbox-')), SIM_CLIENT_ID: `e2e-aug-${name}`, SIM_FSYNC: 'none' };
    const sm = await sim.start({ config: sim.loadConfig(env), log, mqttUrl: broker.url, stations: simStations, start: T0 + fromH * HOUR, end: T0 + toH * HOUR });
    services.push(sm);
    await sm.done;
    await sm.stop();
    services.splice(services.indexOf(sm), 1);
  };

  beforeAll(async () => {
    [broker, testDb] = await Promise.all([startMosquitto(), openTestDb('server')]);
    db = testDb.db;
    await migrate(db);
    const env = { MQTT_URL: broker.url, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', INGEST_METRICS_PORT: '0', VIEWER_DIR: '/nonexistent' };
    const ing = await ingest.start({
      config: ingest.loadConfig({ ...env, INGEST_CLIENT_ID: 'e2e-aug-ingest', INGEST_BATCH_MS: '50', INGEST_MAX_PAST_DAYS: '3650', INGEST_RETAIN_RAW: 'off', INGEST_COMPRESS_AFTER: 'off', INGEST_RUN_JOBS: 'false' }),
      db,
      log,
      mqttUrl: broker.url,
    });
    services.push(ing);
    tw = await twin.start({
      config: twin.loadConfig({ ...env, API_ANONYMOUS_READ: 'true', DATABASE_URL: testDb.url!, WEBHOOKS_ENABLED: 'false', FORECAST_QUIET_S: '1', FORECAST_MAX_WAIT_S: '1' }),
      db,
      log,
    });
    services.push(tw);

    await runSim(FROM_H, FAST_UNTIL_H, 1e7, 'history');
    await tw.forecasts!.settled();
    const t = performance.now();
    await tw.forecasts!.runNow();
    await runSim(FAST_UNTIL_H, END_H, Math.round(3600 / pace((performance.now() - t) / 1000)), 'paced');

    for (let i = 0; i < 60; i++) {
      await sleep(500);
      const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM crossing_skill WHERE level = 'warning' AND outcome = 'hit' AND station = 'shashi'`);
      if (r.rows[0]!.n > 0) break;
    }
    await tw.forecasts?.settled();
    await tw.evaluator.drain();
    alerts = (
      await db.query<AlertRow>(
        `SELECT a.id::text, a.rule_id, a.station, l.after ->> 'severity' AS severity, a.opened_at, l.at AS logged_at, l.after -> 'evidence' AS evidence
         FROM alerts a JOIN audit_log l ON l.subject_type = 'alert' AND l.subject_id = a.id::text AND l.action = 'alert.open'
         WHERE a.rule_id IN ('flood-forecast-warning', 'flood-level-gauges') AND a.station = 'shashi' ORDER BY l.at, a.id`,
      )
    ).rows;
    tasks = (await db.query<{ alert_id: string; plan_id: string; station: string }>(`SELECT alert_id::text, plan_id, station FROM tasks WHERE station = 'shashi'`)).rows;
    const first = await db.query<{ time: Date; value: number }>(`SELECT time, value FROM readings WHERE station = 'shashi' AND metric = 'water_level' AND value >= $1 ORDER BY time LIMIT 1`, [WARNING]);
    if (first.rows[0]) crossed = { t: ms(first.rows[0].time), z: Number(first.rows[0].value) };
  }, 240_000);

  afterAll(async () => {
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    await testDb?.close();
    await broker?.dispose();
  });

  it(`Shashi's stored stage reaches its ${WARNING} m warning level within ±${CROSSING_TOL_H} h of 2020-08-20 18:00 (published ${PUBLISHED.z} m then)`, async () => {
    expect(WARNING).toBe(43);
    expect(crossed, 'the stored stage reaches the warning level').toBeDefined();
    expect(Math.abs(crossed!.t - PUBLISHED.at) / HOUR).toBeLessThanOrEqual(CROSSING_TOL_H);
    const r = await db.query<{ value: number }>(`SELECT value FROM readings WHERE station = 'shashi' AND metric = 'water_level' AND time = $1`, [new Date(PUBLISHED.at).toISOString()]);
    expect(Math.abs(Number(r.rows[0]!.value) - PUBLISHED.z)).toBeLessThanOrEqual(0.1);
  });

  it('a forecast warning at Shashi, then the observed yellow warning at the crossing hour, with the plan tasks', () => {
    const observed = alerts.find((a) => a.rule_id === 'flood-level-gauges' && a.severity === 'yellow');
    expect(observed, 'observed yellow alert').toBeDefined();
    const reading = observed!.evidence.readings.find((r) => r.metric === 'water_level')!;
    expect(ms(reading.ts), 'the alert rests on the first reading at the level').toBe(crossed!.t);

    const before = alerts.filter((a) => a.rule_id === 'flood-forecast-warning' && a.evidence.forecast && ms(a.evidence.forecast.issuedAt) < crossed!.t && ms(a.logged_at) < ms(observed!.logged_at));
    expect(before.length, 'a forecast warning opened before the observed one, on a run issued before the crossing').toBeGreaterThan(0);
    expect(before[0]!.evidence.forecast!.crossingAt, 'the forecast names the crossing time').not.toBeNull();

    const planTasks = tasks.filter((t) => t.alert_id === observed!.id && t.plan_id === 'flood-gauge-yellow');
    expect(planTasks.length, 'the plan flood-gauge-yellow: watch and dyke patrol').toBe(2);
    const f = before[0]!.evidence.forecast!;
    console.log(
      JSON.stringify({
        shashiCrossedAt: new Date(crossed!.t).toISOString(),
        forecastWarningLeadH: (crossed!.t - ms(f.issuedAt)) / HOUR,
        forecastCrossingErrorH: f.crossingAt === null ? null : (ms(f.crossingAt) - crossed!.t) / HOUR,
      }),
    );
  });
});
