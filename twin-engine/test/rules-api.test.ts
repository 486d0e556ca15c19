import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@basin/platform';
import type { FastifyInstance } from 'fastify';
import { bearer, roleKeys, testApp, testDb } from './helpers.js';
import type { Role } from '../src/auth/roles.js';

const rule = (over: Record<string, unknown> = {}) => ({
  id: 'hankou-high', name: { zh: '汉口高水位', en: 'Hankou high water' }, severity: 'orange', alertType: 'flood',
  scope: { stations: ['hankou'] }, condition: { type: 'threshold', metric: 'water_level', op: '>=', value: 28.5, clearValue: 28.3 }, ...over,
});

describe('rules and plans API (embedded)', () => {
  let db: Db;
  let app: FastifyInstance;
  let keys: Record<Role, string>;
  beforeAll(async () => {
    db = await testDb('embedded');
    app = await testApp(db);
    keys = await roleKeys(db);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('versions every change, refuses operators, names the bad field', async () => {
    const put = (body: unknown, key = keys.admin) => app.inject({ method: 'PUT', url: '/api/rules/hankou-high', headers: bearer(key), payload: body as object });
    expect((await put(rule(), keys.operator)).statusCode).toBe(403);
    expect((await put(rule())).json()).toEqual({ id: 'hankou-high', version: 1, changed: true });
    expect((await put(rule())).json()).toEqual({ id: 'hankou-high', version: 1, changed: false });
    expect((await put(rule({ severity: 'red' }))).json()).toMatchObject({ version: 2, changed: true });
    const bad = await put(rule({ condition: { type: 'threshold', metric: 'water_level', op: '=>', value: 1 } }));
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().details)).toContain('condition');
    const versions = (await app.inject({ url: '/api/rules/hankou-high', headers: bearer(keys.viewer) })).json();
    expect(versions.map((v: { version: number; severity: string }) => [v.version, v.severity])).toEqual([[1, 'orange'], [2, 'red']]);
    const audit = await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE subject_type = 'rule' ORDER BY id`);
    expect(audit.rows.map((r) => r.action)).toEqual(['rule.create', 'rule.update']);
    expect((await app.inject({ url: '/api/rules/nope', headers: bearer(keys.viewer) })).statusCode).toBe(404);
  });

  it('plans: the path id must match the body', async () => {
    const plan = { id: 'p-x', name: { zh: '预案', en: 'plan' }, source: 'test', match: { alertTypes: ['flood'], minSeverity: 'yellow' }, tasks: [{ key: 'a', team: { zh: '队', en: 't' }, action: { zh: '做', en: 'do' }, deadlineMinutes: 30 }] };
    const wrong = await app.inject({ method: 'PUT', url: '/api/plans/p-y', headers: bearer(keys.admin), payload: plan });
    expect(wrong.statusCode).toBe(400);
    const ok = await app.inject({ method: 'PUT', url: '/api/plans/p-x', headers: bearer(keys.admin), payload: plan });
    expect(ok.json()).toEqual({ id: 'p-x', version: 1, changed: true });
    const list = (await app.inject({ url: '/api/plans', headers: bearer(keys.viewer) })).json();
    expect(list.map((p: { plan: { id: string } }) => p.plan.id)).toContain('p-x');
  });
});
