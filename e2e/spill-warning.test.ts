/**
 * 预报 → 预警 → 预案 for the simulator's spill scenario, through the running twin-engine: the
 * scenario's readings (60 t NH3-N released on the Han's left bank at km 598, 15 km above the Xingou
 * section, in spring flow) are committed in time order, 10 minutes at a time, as ingest commits
 * them. The Xingou section observes the exceedance first; the spill watch turns it into a
 * pollutant-travel run, the forecast rule warns the Wuhan intakes downstream and the intake plan
 * creates its tasks — all before the plume is observed at an intake, where the observed class rule
 * then fires too. The run reads Xingou's left-bank readings as the near bank of a plume mixing
 * across the river (forecast/transverse.ts), so the right-bank Qinduankou intake is not warned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIN_STATIONS } from '@basin/schemas';
import { createLogger, migrate, upsertStations, type Db } from '@basin/platform';
import { openTestDb, type TestDb } from '@basin/platform/testing';
import * as twin from '@basin/twin-engine';
import * as sim from '@basin/sensors-sim';

const log = createLogger({ level: 'silent' });
const HOUR = 3_600_000;
const STEP = 10 * 60_000;
/** Spring: the simulator's Han carries about 1,400 m³/s at Wuhan (domain facts: 1,000–2,000). */
const T0 = Date.parse('2026-04-15T00:00:00Z');
const RUN_H = 30;
const LIMIT_III = 1.0; // GB 3838-2002 NH3-N class III, mg/L
const UPSTREAM = 'wq-xingou';
const HAN_INTAKES = ['intake-baihezui', 'intake-qinduankou', 'intake-guomian', 'intake-zongguan'];
const QUALITY = [UPSTREAM, ...HAN_INTAKES, 'wq-zongguan', 'intake-dijiao', 'intake-yujiatou', 'intake-gangdong', 'intake-yangluo'];
const GAUGES = ['xiantao', 'hanchuan', 'hankou'];

const signals = new sim.SignalModel(sim.resolveScenario('spill'), 3, T0, STEP);
const stations = new Map(sim.selectStations({ seed: 3 }).map((s) => [s.id, s]));
const rowsAt = (t: number) =>
  [...QUALITY.map((id) => [id, 'nh3n'] as const), ...GAUGES.map((id) => [id, 'discharge'] as const)].map(([id, metric]) => {
    const s = stations.get(id)!;
    return { t, station: id, metric, value: signals.sample(s, t)[s.metrics.indexOf(metric)]! };
  });

async function commit(db: Db, rows: { t: number; station: string; metric: string; value: number }[]): Promise<void> {
  const cols = [rows.map((r) => new Date(r.t).toISOString()), rows.map((r) => r.station), rows.map((r) => r.metric), rows.map((r) => r.value)];
  await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO readings (time, station, metric, value, quality) SELECT t, s, m, v, 1 FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[]) AS u(t, s, m, v)`, cols);
    await tx.query(
      `INSERT INTO latest_readings (station, metric, time, value, quality, received_at)
       SELECT DISTINCT ON (s, m) s, m, t, v, 1, now() FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[]) AS u(t, s, m, v) ORDER BY s, m, t DESC
       ON CONFLICT (station, metric) DO UPDATE SET time = excluded.time, value = excluded.value, quality = excluded.quality, received_at = excluded.received_at`,
      cols,
    );
  });
}

async function until(ok: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface AlertRow {
  id: number;
  rule_id: string;
  station: string;
  opened: number;
}

describe('spill scenario: the Wuhan intakes are warned before the plume arrives', () => {
  let testDb: TestDb;
  let svc: Awaited<ReturnType<typeof twin.start>>;
  const observedAbove = new Map<string, number>();
  let alerts: AlertRow[] = [];
  let tasks: { alert_id: number; plan_id: string; action: string }[] = [];
  let crossingEvents: { station: string; level: string; issued: number }[] = [];

  beforeAll(async () => {
    testDb = await openTestDb('embedded');
    const db = testDb.db;
    await migrate(db);
    await upsertStations(db, BASIN_STATIONS);
    // the day before: each station's level without the plume
    const history = Array.from({ length: 24 * 6 }, (_, i) => rowsAt(T0 - 24 * HOUR + i * STEP)).flat();
    await commit(db, history);
    const env = { VIEWER_DIR: '/nonexistent', HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', WEBHOOKS_ENABLED: 'false', FORECAST_QUIET_S: '3600', FORECAST_MAX_WAIT_S: '3600' };
    svc = await twin.start({ config: twin.loadConfig(env), db, log });
    for (let t = T0; t <= T0 + RUN_H * HOUR; t += STEP) {
      const rows = rowsAt(t);
      for (const r of rows) if (r.metric === 'nh3n' && r.value > LIMIT_III && !observedAbove.has(r.station)) observedAbove.set(r.station, t);
      await commit(db, rows);
      await until(() => svc.twin.live.stations.get(UPSTREAM)?.metrics.get('nh3n')?.ts === t, 'the live state');
      await svc.spillWatch!.settled();
      await until(() => svc.forecasts!.stats.announced >= svc.spillWatch!.stats.runs, 'the announcement');
      await svc.evaluator.drain();
    }
    alerts = (await db.query<{ id: string; rule_id: string; station: string; opened_at: Date | string }>(`SELECT id, rule_id, station, opened_at FROM alerts ORDER BY opened_at`)).rows.map((a) => ({ id: Number(a.id), rule_id: a.rule_id, station: a.station, opened: new Date(a.opened_at).getTime() }));
    crossingEvents = (await db.query<{ station: string; level: string; issued: string }>(`SELECT station, data->'data'->>'level' AS level, data->'data'->>'issuedAt' AS issued FROM stream_events WHERE type = 'forecast.crossing' ORDER BY id`)).rows.map((e) => ({ ...e, issued: Date.parse(e.issued) }));
    tasks = (await db.query<{ alert_id: string; plan_id: string; action: string }>(`SELECT alert_id, plan_id, action::text FROM tasks`)).rows.map((t) => ({ ...t, alert_id: Number(t.alert_id) }));
  }, 110_000);

  afterAll(async () => {
    await svc?.stop();
    await testDb?.close();
  });

  const first = (rule: string, station: string) => alerts.find((a) => a.rule_id === rule && a.station === station);
  const h = (t: number) => ((t - T0) / HOUR).toFixed(1);

  it('the Xingou section observes the exceedance first, and the spill watch issues a run from it', async () => {
    const upstream = observedAbove.get(UPSTREAM);
    expect(upstream, 'Xingou reads NH3-N above class III').toBeDefined();
    for (const [id, t] of observedAbove) if (id !== UPSTREAM) expect(t, id).toBeGreaterThan(upstream!);
    expect(first('nh3n-worse-than-iii', UPSTREAM)?.opened, 'observed class alert at Xingou').toBe(upstream);
    const runs = await testDb.db.query<{ issued_at: Date | string }>(`SELECT issued_at FROM forecasts WHERE kind = 'spill' ORDER BY issued_at LIMIT 1`);
    expect(new Date(runs.rows[0]!.issued_at).getTime(), 'first run issued at the exceeding reading').toBe(upstream);
  });

  it('every intake the plume reaches above class III is warned by the forecast before it is observed there, with the plan tasks', () => {
    const reached = HAN_INTAKES.filter((id) => observedAbove.has(id));
    expect(reached, 'the left-bank Zongguan intake at least').toContain('intake-zongguan');
    const upstream = observedAbove.get(UPSTREAM)!;
    for (const id of reached) {
      const warned = first('spill-intake-forecast', id);
      const observed = first('nh3n-worse-than-iii', id);
      expect(warned, `${id}: forecast warning`).toBeDefined();
      expect(observed, `${id}: observed class alert`).toBeDefined();
      expect(observed!.opened, `${id}: observed alert at the first reading above class III`).toBe(observedAbove.get(id));
      expect(warned!.opened, `${id}: warned after the upstream observation`).toBeGreaterThanOrEqual(upstream);
      expect(observed!.opened - warned!.opened, `${id}: lead time, ms`).toBeGreaterThanOrEqual(4 * HOUR);
      const announced = crossingEvents.find((e) => e.station === id && e.level === 'nh3n:IV');
      expect(announced?.issued, `${id}: forecast.crossing event (webhook and stream) before the observation`).toBeLessThan(observed!.opened);
      const planned = tasks.filter((t) => t.alert_id === warned!.id && t.plan_id === 'spill-wuhan-intake');
      expect(planned.length, `${id}: plan tasks on the warning`).toBeGreaterThanOrEqual(2);
      console.info(`${id}: Xingou observed h${h(upstream)}, warned h${h(warned!.opened)}, observed h${h(observed!.opened)}: lead ${h(T0 + observed!.opened - warned!.opened)} h`);
    }
  });

  it('the Yangtze intakes below the Han mouth are not warned: the main stem dilutes the plume below class III', () => {
    const warned = [...new Set(alerts.filter((a) => a.rule_id === 'spill-intake-forecast').map((a) => a.station))];
    console.info(`forecast warnings: ${warned.map((id) => `${id} h${h(first('spill-intake-forecast', id)!.opened)}`).join(', ')}; observed above class III: ${[...observedAbove].map(([id, t]) => `${id} h${h(t)}`).join(', ')}`);
    expect(warned.filter((id) => BASIN_STATIONS.find((s) => s.id === id)?.river === 'Yangtze')).toEqual([]);
  });

  it('across the river: the right-bank Qinduankou intake, which the plume leaves below class III, is not warned; the left-bank Zongguan is', () => {
    const bank = (id: string) => BASIN_STATIONS.find((s) => s.id === id)!.bank;
    expect([bank(UPSTREAM), bank('intake-zongguan'), bank('intake-qinduankou')]).toEqual(['left', 'left', 'right']);
    expect(observedAbove.has('intake-qinduankou'), 'the simulated far bank stays at or below class III').toBe(false);
    expect(first('spill-intake-forecast', 'intake-qinduankou'), 'no forecast warning at the far-bank intake').toBeUndefined();
    expect(first('spill-intake-forecast', 'intake-zongguan'), 'the near-bank intake is warned').toBeDefined();
  });

  it('the plume stays along its bank: the left-bank intake sees more than the right-bank ones', () => {
    const peak = (id: string) => Math.max(...Array.from({ length: RUN_H * 6 }, (_, i) => rowsAt(T0 + i * STEP).find((r) => r.station === id)!.value));
    const left = peak('intake-zongguan');
    for (const id of ['intake-qinduankou']) expect(left, id).toBeGreaterThan(1.3 * peak(id));
  });
});
