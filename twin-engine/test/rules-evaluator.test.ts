import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, migrate, openEmbeddedDb, openServerDb, type Db } from '@basin/platform';
import { startTimescale, type TestTimescale } from '@basin/platform/testing';
import { RuleDefinition, type MetricCode, type Severity, type WaterClass } from '@basin/schemas';
import { Evaluator, type CommittedReading } from '../src/rules/evaluator.js';
import { DbRuleEffects } from '../src/rules/effects.js';
import { TaskClock } from '../src/rules/tasks.js';
import { seedDefinitions } from '../src/rules/store.js';
import { loadPlanFiles } from '../src/plans/files.js';
import { systemPrincipal } from '../src/auth/roles.js';
import type { Classifiers, RuleStation } from '../src/rules/types.js';

const log = createLogger({ name: 'test', level: process.env.TEST_LOG === '1' ? 'debug' : 'silent' });
const T0 = Date.UTC(2026, 6, 10);
const M = 60_000;

const stations: RuleStation[] = [
  { id: 'shashi', kind: 'hydrology_gauge', reach: 'jingjiang', river: 'Yangtze', admin: '湖北省荆州市', riverChief: null },
  { id: 'hankou', kind: 'hydrology_gauge', reach: 'wuhan', river: 'Yangtze', admin: '湖北省武汉市', riverChief: null },
  { id: 'intake-baishazhou', kind: 'water_intake', reach: 'wuhan', river: 'Yangtze', admin: '湖北省武汉市', riverChief: null },
];
const LEVELS: Record<string, Partial<Record<Severity, number>>> = { shashi: { blue: 42.5, yellow: 43, orange: 45, red: 45.22 }, hankou: { blue: 26.8, yellow: 27.3, orange: 29.73 } };
const classifiers: Classifiers = {
  waterClass: (_s, m, v): WaterClass | null => (m !== 'nh3n' ? null : v <= 0.15 ? 'I' : v <= 0.5 ? 'II' : v <= 1 ? 'III' : v <= 1.5 ? 'IV' : v <= 2 ? 'V' : 'worse_than_V'),
  aqiCategory: () => null,
  floodLevels: (s) => LEVELS[s.id] ?? {},
};
const rules = [
  RuleDefinition.parse({ id: 'flood-level-gauges', name: { zh: '水位超警戒预警', en: 'Gauge above warning' }, severity: 'yellow', alertType: 'flood', scope: { kinds: ['hydrology_gauge'] }, condition: { type: 'flood_level', atLeast: 'yellow' } }),
  RuleDefinition.parse({ id: 'flood-forecast', name: { zh: '预报超警戒', en: 'Forecast above warning' }, severity: 'blue', alertType: 'flood', scope: { kinds: ['hydrology_gauge'] }, condition: { type: 'forecast_crossing', level: 'warning', withinHours: 24 } }),
  RuleDefinition.parse({ id: 'nh3n', name: { zh: '氨氮', en: 'NH3-N' }, severity: 'yellow', alertType: 'pollution', scope: { kinds: ['water_intake'] }, condition: { type: 'water_class', metric: 'nh3n', worseThan: 'III' } }),
];

async function insertReadings(db: Db, rs: CommittedReading[]) {
  const q = (n: number) => (n === 1 ? 1 : n);
  for (const r of rs) {
    await db.query(`INSERT INTO readings (time, station, metric, value, quality, received_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, [new Date(r.ts).toISOString(), r.station, r.metric, r.value, q(1), new Date(r.receivedAt).toISOString()]);
  }
}

const reading = (station: string, metric: MetricCode, value: number, min: number): CommittedReading => ({ station, metric, value, ts: T0 + min * M, quality: 'pass', receivedAt: T0 + min * M + 1000 });

function evaluator(db: Db, holder: string, leaseMs = 3000) {
  return new Evaluator({ db, log, holder, classifiers, stations: () => stations, effects: new DbRuleEffects(), leaseMs, now: () => Date.now() });
}

async function until(cond: () => Promise<boolean> | boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const backends = [
  ['embedded', async () => ({ db: await openEmbeddedDb(null) as Db, dispose: async () => undefined })],
  ['server', async () => {
    const ts: TestTimescale = await startTimescale();
    const db = openServerDb({ mode: 'server', connectionString: ts.url, poolMax: 8 }, log);
    return { db, dispose: () => ts.dispose() };
  }],
] as const;

describe.each(backends)('rule evaluator on %s', (_name, open) => {
  let db: Db;
  let dispose: () => Promise<unknown>;
  beforeAll(async () => {
    ({ db, dispose } = await open());
    await migrate(db, log);
    await seedDefinitions(db, rules, loadPlanFiles(), systemPrincipal('test'));
  }, 180_000);
  afterAll(async () => {
    await db?.close();
    await dispose?.();
  });

  const alerts = async () => (await db.query<{ rule_id: string; subject: string; severity: string; state: string }>(`SELECT rule_id, subject, severity, state FROM alerts ORDER BY id`)).rows;

  it('one leader evaluates; alerts, escalation, plan tasks; a takeover after a crash neither loses nor repeats', async () => {
    const a = evaluator(db, 'proc-a');
    const b = evaluator(db, 'proc-b');
    await a.start();
    await b.start();
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = a.isLeader ? [a, b] : [b, a];

    // Both processes hear every committed batch (as from the reading feed); only the leader acts.
    const feed = async (batch: CommittedReading[]) => {
      await insertReadings(db, batch);
      a.onReadings(batch);
      b.onReadings(batch);
      await a.drain();
      await b.drain();
    };
    await feed([reading('shashi', 'water_level', 42.8, 0), reading('hankou', 'water_level', 26, 0)]);
    await feed([reading('shashi', 'water_level', 43.1, 60)]);
    expect(await alerts()).toEqual([{ rule_id: 'flood-level-gauges', subject: 'shashi', severity: 'yellow', state: 'firing' }]);
    const tasks1 = (await db.query<{ plan_id: string }>(`SELECT plan_id FROM tasks ORDER BY id`)).rows.map((r) => r.plan_id);
    expect(tasks1).toEqual(['flood-gauge-yellow', 'flood-gauge-yellow']);

    // The leader crashes (no clean release); readings keep coming; the follower takes over after the
    // lease expires, restores state and catches up from the checkpoint.
    (leader as unknown as { stopped: boolean }).stopped = true;
    (leader as unknown as { engine: null }).engine = null;
    await insertReadings(db, [reading('shashi', 'water_level', 45.1, 120), reading('hankou', 'water_level', 27.4, 120)]);
    await until(() => follower.isLeader);
    await follower.drain();
    await feed([reading('shashi', 'water_level', 45.2, 180)]);
    const after = await alerts();
    expect(after).toEqual([
      { rule_id: 'flood-level-gauges', subject: 'shashi', severity: 'orange', state: 'firing' },
      { rule_id: 'flood-level-gauges', subject: 'hankou', severity: 'yellow', state: 'firing' },
    ]);
    // the orange plan for the Jingjiang reach added its tasks once; the yellow plan's were not repeated
    const tasks2 = (await db.query<{ plan_id: string; n: number }>(`SELECT plan_id, count(*)::int AS n FROM tasks WHERE station = 'shashi' GROUP BY plan_id ORDER BY plan_id`)).rows;
    expect(tasks2).toEqual([{ plan_id: 'flood-gauge-yellow', n: 2 }, { plan_id: 'flood-jingjiang-orange', n: 2 }]);
    const audit = (await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE subject_type = 'alert' ORDER BY id`)).rows.map((r) => r.action);
    expect(audit).toEqual(['alert.open', 'alert.escalate', 'alert.open']);

    // The water recedes: auto-resolved.
    await feed([reading('shashi', 'water_level', 42.0, 240)]);
    expect((await alerts()).find((x) => x.subject === 'shashi')!.state).toBe('resolved');
    await follower.stop();
    await leader.stop();
  }, 120_000);

  it('a restart restores the rule state: the same readings replayed fire nothing again', async () => {
    const before = (await alerts()).length;
    const c = evaluator(db, 'proc-c');
    await c.start();
    await until(() => c.isLeader);
    c.onReadings([reading('hankou', 'water_level', 27.4, 120), reading('shashi', 'water_level', 42.0, 240)]);
    await c.drain();
    expect((await alerts()).length).toBe(before);
    // and new information still works: a pollution alert at an intake with the spill plan's tasks
    c.onReadings([reading('intake-baishazhou', 'nh3n', 1.6, 300)]);
    await c.drain();
    const last = (await alerts()).at(-1)!;
    expect(last).toMatchObject({ rule_id: 'nh3n', subject: 'intake-baishazhou', state: 'firing' });
    const t = (await db.query<{ plan_id: string }>(`SELECT DISTINCT plan_id FROM tasks WHERE station = 'intake-baishazhou'`)).rows;
    expect(t).toEqual([{ plan_id: 'spill-wuhan-intake' }]);
    await c.stop();
  }, 60_000);
});

describe.each(backends)('forecast-based rules on %s', (_name, open) => {
  it('the leader alone fires on a forecast run, with the forecast as evidence; a new leader re-reads the newest run without re-firing', async () => {
    const { db, dispose } = await open();
    try {
      await migrate(db, log);
      await seedDefinitions(db, rules, [], systemPrincipal('test'));
      const a = evaluator(db, 'proc-a');
      const b = evaluator(db, 'proc-b');
      await a.start();
      await b.start();
      const [leader, follower] = a.isLeader ? [a, b] : [b, a];
      const issued = T0 + 600 * M;
      const cross = (forecastId: string, station: string, atH: number | null) => ({ forecastId, station, level: 'warning', issuedAt: issued, crossingAt: atH === null ? null : issued + atH * 3_600_000, value: 43.2, threshold: 43 });
      const run1 = [cross('run-1', 'shashi', 10), cross('run-1', 'hankou', null)];
      // the runner stores the run, then every process hears its announcement
      await db.query(`INSERT INTO forecasts (issued_at, id, kind, inputs, events) VALUES ($1, 'run-1', 'flood', '{}', $2::jsonb)`, [new Date(issued).toISOString(), JSON.stringify(run1)]);
      for (const ev of [a, b]) ev.onForecast(run1);
      await a.drain();
      await b.drain();
      const fired = async () => (await db.query<{ subject: string; state: string; severity: string; evidence: { forecast?: { forecastId: string; issuedAt: number; crossingAt: number; value: number } }; opened_at: Date | string }>(
        `SELECT subject, state, severity, evidence, opened_at FROM alerts WHERE rule_id = 'flood-forecast' ORDER BY id`)).rows;
      let rows = await fired();
      expect(rows.map((r) => [r.subject, r.state, r.severity])).toEqual([['shashi', 'firing', 'blue']]);
      expect(rows[0]!.evidence.forecast).toMatchObject({ forecastId: 'run-1', issuedAt: issued, crossingAt: issued + 10 * 3_600_000, value: 43.2 });
      expect(new Date(rows[0]!.opened_at).getTime()).toBe(issued); // fired at the forecast's issue time, before any observation

      // The same announcement again (a second process's NOTIFY, a redelivery): nothing new.
      leader.onForecast(run1);
      await leader.drain();
      expect(await fired()).toHaveLength(1);

      // The leader stops; a newer run (Hankou now predicted to cross too) is stored while no process
      // leads and its announcement is missed. The new leader reads it when elected: Hankou fires,
      // Shashi (still predicted) is not re-fired.
      await leader.stop();
      const run2 = [cross('run-2', 'shashi', 9), cross('run-2', 'hankou', 20)].map((c) => ({ ...c, issuedAt: issued + 3_600_000, crossingAt: c.crossingAt! + 3_600_000 }));
      await db.query(`INSERT INTO forecasts (issued_at, id, kind, inputs, events) VALUES ($1, 'run-2', 'flood', '{}', $2::jsonb)`, [new Date(issued + 3_600_000).toISOString(), JSON.stringify(run2)]);
      await until(() => follower.isLeader);
      await follower.drain();
      rows = await fired();
      expect(rows.map((r) => [r.subject, r.state])).toEqual([['shashi', 'firing'], ['hankou', 'firing']]);
      expect(rows[1]!.evidence.forecast!.forecastId).toBe('run-2');

      // A later run withdraws Shashi: auto-resolved once.
      follower.onForecast([{ ...cross('run-3', 'shashi', null), issuedAt: issued + 2 * 3_600_000 }]);
      await follower.drain();
      expect((await fired()).map((r) => [r.subject, r.state])).toEqual([['shashi', 'resolved'], ['hankou', 'firing']]);
      const audit = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'alert.open'`)).rows[0]!.n;
      expect(audit).toBe(2);
      await follower.stop();
    } finally {
      await db.close();
      await dispose();
    }
  }, 120_000);
});

describe('plan task deadlines (embedded, injected clock)', () => {
  it('an overdue task escalates its alert once; a recurring duty gets its next occurrence', async () => {
    const db: Db = await openEmbeddedDb(null);
    await migrate(db, log);
    await seedDefinitions(db, rules, loadPlanFiles(), systemPrincipal('test'));
    let now = T0 + 60 * M;
    const ev = new Evaluator({ db, log, holder: 'p', classifiers, stations: () => stations, effects: new DbRuleEffects(), tasks: new TaskClock(), leaseMs: 3_600_000, now: () => now });
    await ev.start();
    ev.onReadings([reading('hankou', 'water_level', 27.5, 60)]);
    await ev.drain();
    const tasks = async () => (await db.query<{ plan_task_key: string; state: string }>(`SELECT plan_task_key, state FROM tasks ORDER BY id`)).rows.map((t) => [t.plan_task_key.split('/').slice(2).join('/'), t.state]);
    expect(await tasks()).toEqual([['watch/0', 'open'], ['dyke-patrol/0', 'open']]);
    now += 61 * M; // the watch task (60 min) is overdue
    ev.poke();
    await ev.drain();
    expect(await tasks()).toEqual([['watch/0', 'overdue'], ['dyke-patrol/0', 'open']]);
    const sev = await db.query<{ severity: string }>(`SELECT severity FROM alerts WHERE subject = 'hankou'`);
    expect(sev.rows[0]!.severity).toBe('orange');
    now += 300 * M; // 361 min after opening: the 6-hourly patrol's second occurrence
    ev.poke();
    await ev.drain();
    ev.poke();
    await ev.drain();
    expect(await tasks()).toEqual([['watch/0', 'overdue'], ['dyke-patrol/0', 'overdue'], ['dyke-patrol/1', 'open']]);
    const escalations = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'alert.escalate'`);
    expect(escalations.rows[0]!.n).toBe(1); // the second overdue task wants orange too: no repeat
    await ev.stop();
    await db.close();
  }, 60_000);
});

describe('becoming the leader (embedded)', () => {
  it('a new leader is not the leader until it has restored its state; readings that arrive meanwhile are evaluated after it (an alert already firing is not opened again)', async () => {
    const db: Db = await openEmbeddedDb(null);
    try {
      await migrate(db, log);
      await seedDefinitions(db, rules, [], systemPrincipal('test'));
      const a = evaluator(db, 'proc-a');
      await a.start();
      a.onReadings([reading('hankou', 'water_level', 27.5, 1)]);
      await a.drain();
      await a.stop();
      // The next leader's restore of the rule state waits at a gate while a reading comes in.
      let release!: () => void;
      let reached!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const atGate = new Promise<void>((r) => (reached = r));
      const gated = new Proxy(db, {
        get(target, prop) {
          if (prop === 'query') {
            return async (sql: string, params?: unknown[]) => {
              if (/FROM rule_state/.test(sql)) {
                reached();
                await gate;
              }
              return target.query(sql, params);
            };
          }
          const v = Reflect.get(target, prop) as unknown;
          return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
        },
      });
      const b = evaluator(gated, 'proc-b');
      const started = b.start();
      await atGate;
      expect(b.isLeader).toBe(false);
      b.onReadings([reading('hankou', 'water_level', 27.6, 2)]);
      await new Promise((r) => setTimeout(r, 100));
      release();
      await started;
      await b.drain();
      expect(b.isLeader).toBe(true);
      const opened = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE rule_id = 'flood-level-gauges' AND subject = 'hankou'`)).rows[0]!.n;
      expect(opened).toBe(1);
      await b.stop();
    } finally {
      await db.close();
    }
  }, 60_000);
});
