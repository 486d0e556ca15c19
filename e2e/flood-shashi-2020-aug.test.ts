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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIN_STATIONS } from '@basin/schemas';
import * as twin from '@basin/twin-engine';
import { createdTasks, floodAlerts, HOUR, ms, runFlood, startFloodSystem, type CreatedTask, type FloodSystem, type OpenedAlert } from './flood-run.js';

/** The scenario's hour 0. */
const T0 = Date.parse('2020-08-17T00:00:00+08:00');
const FROM_H = -48;
const FAST_UNTIL_H = 54;
const END_H = 96;
const PUBLISHED = { at: Date.parse('2020-08-20T18:00:00+08:00'), z: 43.08 };
const CROSSING_TOL_H = 8;

const model = new twin.BasinModel(BASIN_STATIONS);
const WARNING = twin.levelOf(model.references.get('shashi')!, 'warning', T0)!;

describe('flood-2020-aug through sim -> ingest -> twin-engine: Shashi forecast warning, then the observed yellow warning with plan tasks', () => {
  let system: FloodSystem;
  let alerts: OpenedAlert[] = [];
  let tasks: CreatedTask[] = [];
  let crossed: { t: number; z: number } | undefined;

  beforeAll(async () => {
    system = await startFloodSystem('e2e-aug');
    await runFlood(system, { scenario: 'flood-2020-aug', t0: T0, fromH: FROM_H, fastUntilH: FAST_UNTIL_H, endH: END_H, scored: ['shashi'] });
    alerts = await floodAlerts(system.db, 'shashi');
    tasks = await createdTasks(system.db, 'shashi');
    const first = await system.db.query<{ time: Date; value: number }>(`SELECT time, value FROM readings WHERE station = 'shashi' AND metric = 'water_level' AND value >= $1 ORDER BY time LIMIT 1`, [WARNING]);
    if (first.rows[0]) crossed = { t: ms(first.rows[0].time), z: Number(first.rows[0].value) };
  }, 240_000);

  afterAll(async () => {
    await system?.stop();
  });

  it(`Shashi's stored stage reaches its ${WARNING} m warning level within ±${CROSSING_TOL_H} h of 2020-08-20 18:00 (published ${PUBLISHED.z} m then)`, async () => {
    expect(WARNING).toBe(43);
    expect(crossed, 'the stored stage reaches the warning level').toBeDefined();
    expect(Math.abs(crossed!.t - PUBLISHED.at) / HOUR).toBeLessThanOrEqual(CROSSING_TOL_H);
    const r = await system.db.query<{ value: number }>(`SELECT value FROM readings WHERE station = 'shashi' AND metric = 'water_level' AND time = $1`, [new Date(PUBLISHED.at).toISOString()]);
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
