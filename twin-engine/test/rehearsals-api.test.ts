import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@basin/platform';
import { loadConfig } from '../src/index.js';
import { systemClock } from '../src/state/clock.js';
import { TwinState } from '../src/state/twin.js';
import { seedDefinitions } from '../src/rules/store.js';
import { loadPlanFiles, loadRuleFiles } from '../src/plans/files.js';
import { systemPrincipal } from '../src/auth/roles.js';
import { bearer, roleKeys, silent, testApp, testDb } from './helpers.js';

const H = 3_600_000;
/** A stage–discharge relation for the test inputs (h = 20 + 0.105·√Q; Shashi at 30,000 m³/s ≈ 38.2 m, warning 43 m). */
const stageOf = (q: number) => 20 + 0.105 * Math.sqrt(q);

describe('预演 rehearsals API (embedded)', () => {
  let db: Db;
  let twin: TwinState;
  let app: FastifyInstance;
  let keys: Awaited<ReturnType<typeof roleKeys>>;

  beforeAll(async () => {
    db = await testDb('embedded');
    await seedDefinitions(db, loadRuleFiles(), loadPlanFiles(), systemPrincipal('test'));
    // 24 h of observed inputs ending this hour: the Three Gorges release, Yichang and Shashi flows and stages.
    const now = Math.floor(Date.now() / H) * H;
    const rows: Array<[string, string, string, number]> = [];
    for (let h = 23; h >= 0; h--) {
      const t = new Date(now - h * H).toISOString();
      const q = 29_000 + 80 * (23 - h);
      rows.push([t, 'three-gorges', 'outflow', q], [t, 'yichang', 'discharge', q], [t, 'yichang', 'water_level', stageOf(q) + 5], [t, 'shashi', 'discharge', q], [t, 'shashi', 'water_level', stageOf(q)]);
    }
    for (const [t, s, m, v] of rows) await db.query(`INSERT INTO readings (time, station, metric, value, quality) VALUES ($1, $2, $3, $4, 1)`, [t, s, m, v]);
    twin = new TwinState(db, { mode: 'embedded', dataDir: null }, systemClock, loadConfig({}).twin, silent);
    await twin.start();
    app = await testApp(db, {}, twin);
    keys = await roleKeys(db);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await twin?.stop();
    await db?.close();
  });

  const counts = async () => (await db.query<{ a: number; t: number; w: number; s: number }>(`SELECT (SELECT count(*) FROM alerts)::int AS a, (SELECT count(*) FROM tasks)::int AS t, (SELECT count(*) FROM webhook_events)::int AS w, (SELECT count(*) FROM stream_events)::int AS s`)).rows[0]!;
  const done = async (id: number) => {
    for (let i = 0; i < 600; i++) {
      const r = await app.inject({ url: `/api/rehearsals/${id}`, headers: bearer(keys.viewer) });
      if (r.json().state !== 'running') return r.json();
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error('rehearsal did not finish');
  };

  it('a Three Gorges release raises Shashi above warning in the rehearsal only: alerts and plan tasks predicted, none raised', async () => {
    const before = await counts();
    const body = { name: 'TGR 60,000 m³/s for 48 h', hours: 72, modifiers: [{ type: 'reservoir_outflow', station: 'three-gorges', outflow: 60_000, hours: 48 }] };
    expect((await app.inject({ method: 'POST', url: '/api/rehearsals', headers: bearer(keys.viewer), payload: body })).statusCode).toBe(403);
    const res = await app.inject({ method: 'POST', url: '/api/rehearsals', headers: bearer(keys.operator), payload: body });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ state: 'running', name: body.name, createdBy: expect.any(String) });
    const run = await done(res.json().id);
    expect(run.state).toBe('done');
    const alerts = run.result.alerts as Array<{ kind: string; ruleId: string; subject: string; severity: string; at: number }>;
    const shashi = alerts.filter((a) => a.subject === 'shashi' && a.kind !== 'clear');
    expect(shashi.map((a) => a.ruleId)).toContain('flood-level-gauges');
    // the forecast-based warning comes first (at the start), the observed one later
    const fc = shashi.find((a) => a.ruleId === 'flood-forecast-warning')!;
    const obs = shashi.find((a) => a.ruleId === 'flood-level-gauges')!;
    expect(fc.at).toBeLessThan(obs.at);
    expect((run.result.tasks as Array<{ planId: string }>).some((t) => t.planId === 'flood-gauge-yellow')).toBe(true);
    expect(run.result.baseline.alerts.filter((a: { subject: string; ruleId: string }) => a.subject === 'shashi' && a.ruleId === 'flood-level-gauges')).toEqual([]);

    const cmp = await app.inject({ url: `/api/rehearsals/${run.id}/compare?with=baseline`, headers: bearer(keys.viewer) });
    expect(cmp.statusCode).toBe(200);
    const peak = cmp.json().peaks.find((p: { station: string; metric: string }) => p.station === 'shashi' && p.metric === 'water_level');
    expect(peak.b).toBeGreaterThan(43);
    expect(peak.delta).toBeGreaterThan(3);
    expect(cmp.json().alerts.find((a: { ruleId: string; subject: string }) => a.ruleId === 'flood-level-gauges' && a.subject === 'shashi')).toMatchObject({ a: null, b: { severity: expect.any(String) } });

    // Nothing live was touched: no alert, task, webhook or stream event.
    expect(await counts()).toEqual(before);
    const list = await app.inject({ url: '/api/rehearsals', headers: bearer(keys.viewer) });
    expect(list.json()[0]).toMatchObject({ id: run.id, state: 'done' });
    expect(list.json()[0].result).toBeUndefined();
  }, 60_000);

  it('two runs side by side; a spill warns the intakes downstream; bad modifiers are refused', async () => {
    const a = (await app.inject({ method: 'POST', url: '/api/rehearsals', headers: bearer(keys.operator), payload: { name: 'spill', hours: 24, modifiers: [{ type: 'spill', station: 'intake-hanwu', metric: 'nh3n', massKg: 400_000, hours: 1 }] } })).json();
    const b = (await app.inject({ method: 'POST', url: '/api/rehearsals', headers: bearer(keys.operator), payload: { name: 'nothing', hours: 24 } })).json();
    const ra = await done(a.id);
    await done(b.id);
    const intakes = (ra.result.alerts as Array<{ ruleId: string; subject: string; kind: string }>).filter((x) => x.kind === 'open' && x.subject.startsWith('intake-'));
    expect(intakes.map((x) => x.ruleId)).toContain('spill-intake-forecast');
    expect(intakes.some((x) => x.subject === 'intake-baishazhou')).toBe(true);
    const cmp = (await app.inject({ url: `/api/rehearsals/${a.id}/compare?with=${b.id}`, headers: bearer(keys.viewer) })).json();
    expect(cmp.alerts.some((x: { subject: string; a: unknown; b: unknown }) => x.subject === 'intake-baishazhou' && x.a !== null && x.b === null)).toBe(true);
    expect((await app.inject({ url: `/api/rehearsals/${a.id}/compare?with=actual`, headers: bearer(keys.viewer) })).statusCode).toBe(200);

    const rain = await app.inject({ method: 'POST', url: '/api/rehearsals', headers: bearer(keys.operator), payload: { name: 'rain', modifiers: [{ type: 'rainfall', river: 'Han', mm: 100, hours: 24 }] } });
    expect(rain.statusCode).toBe(400);
    expect(rain.json().details[0].field).toBe('body.modifiers.0.type');
    const unknown = await app.inject({ method: 'POST', url: '/api/rehearsals', headers: bearer(keys.operator), payload: { name: 'x', modifiers: [{ type: 'gauge_offline', station: 'nowhere' }] } });
    expect(unknown.statusCode).toBe(404);
    expect((await app.inject({ url: '/api/rehearsals/999999', headers: bearer(keys.viewer) })).statusCode).toBe(404);
  }, 60_000);
});
