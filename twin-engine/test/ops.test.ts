import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@basin/platform';
import { acknowledge, autoResolve, dispatch, escalate, openAlert, resolve } from '../src/ops/alerts.js';
import { createTask, markOverdue, moveTask } from '../src/ops/tasks.js';
import { systemPrincipal, type Principal } from '../src/auth/roles.js';
import { readAudit } from '../src/ops/audit.js';
import { emitDomainEvent } from '../src/ops/emit.js';
import { createSubscription } from '../src/webhooks/store.js';
import { bearer, roleKeys, startTimescale, testApp, testDb } from './helpers.js';
import type { TestTimescale } from '@basin/platform/testing';

const rules = systemPrincipal('rules');
const op: Principal = { actor: 'key:op', role: 'operator', via: 'key' };
const input = (subject: string) => ({
  ruleId: 'flood-warning',
  ruleVersion: 3,
  subject,
  kind: 'flood',
  severity: 'yellow' as const,
  title: `${subject} above warning level`,
  station: subject,
  metric: 'water_level',
  river: '长江',
  adminUnit: '湖北省武汉市',
  evidence: { readings: [{ station: subject, value: 27.6 }], reason: 'water_level 27.6 m >= warning 27.3 m' },
});

let ts: TestTimescale | undefined;
afterAll(async () => ts?.dispose());

describe.each(['embedded', 'server'] as const)('alert and task lifecycle on %s TimescaleDB', (kind) => {
  let db: Db;
  beforeAll(async () => {
    if (kind === 'server') ts ??= await startTimescale();
    db = await testDb(kind, ts);
    await db.transaction((tx) => createSubscription(tx, { name: 'ops', url: 'https://ops.example.org/hook', eventTypes: ['alert.opened', 'alert.escalated', 'alert.acknowledged', 'alert.resolved', 'task.created', 'task.overdue'], filters: { minSeverity: 'yellow' } }, rules));
    await db.transaction((tx) => createSubscription(tx, { name: 'elsewhere', url: 'https://x.example.org/hook', eventTypes: ['alert.opened'], filters: { adminUnits: ['湖南省'] } }, rules));
  });
  afterAll(async () => db?.close());

  it('opens once per rule and subject, escalates in place, and writes audit, stream and outbox in the same transaction', async () => {
    const a = await db.transaction((tx) => openAlert(tx, input('hankou'), rules));
    expect(a.created).toBe(true);
    const again = await db.transaction((tx) => openAlert(tx, input('hankou'), rules));
    expect(again).toMatchObject({ created: false, alert: { id: a.alert.id } });
    const up = await db.transaction((tx) => escalate(tx, { ruleId: 'flood-warning', subject: 'hankou', severity: 'orange', evidence: { reason: 'above guaranteed' } }, rules));
    expect(up).toMatchObject({ id: a.alert.id, severity: 'orange', state: 'firing' });
    const events = await db.query<{ type: string }>('SELECT type FROM webhook_events ORDER BY created_at, id');
    expect(events.rows.map((e) => e.type)).toEqual(['alert.opened', 'alert.escalated']);
    const deliveries = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_deliveries');
    expect(deliveries.rows[0]!.n).toBe(2); // only the matching subscription (湖北 is not 湖南)
    const stream = await db.query<{ type: string }>("SELECT type FROM stream_events WHERE topic = 'alert' ORDER BY id");
    expect(stream.rows.map((e) => e.type)).toEqual(['alert.opened', 'alert.escalated']);
    // A failing transaction leaves nothing behind.
    await expect(db.transaction(async (tx) => {
      await openAlert(tx, input('wuhan-x'), rules);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect((await db.query("SELECT 1 FROM webhook_events WHERE payload->'data'->>'subject' = 'wuhan-x'")).rows).toHaveLength(0);
  });

  it('goes firing -> acknowledged -> dispatched -> resolved; a second acknowledge is 409; every step audited', async () => {
    const { alert } = await db.transaction((tx) => openAlert(tx, input('luoshan'), rules));
    await db.transaction((tx) => acknowledge(tx, alert.id, op, 'on it'));
    await expect(db.transaction((tx) => acknowledge(tx, alert.id, op))).rejects.toMatchObject({ code: 'INVALID_TRANSITION', status: 409 });
    await db.transaction((tx) => dispatch(tx, alert.id, op));
    const done = await db.transaction((tx) => resolve(tx, alert.id, op, 'level receding'));
    expect(done).toMatchObject({ state: 'resolved', resolution: 'manual', resolvedBy: 'key:op', acknowledgedBy: 'key:op' });
    await expect(db.transaction((tx) => resolve(tx, alert.id, op))).rejects.toMatchObject({ status: 409 });
    const log = (await readAudit(db, { subjectType: 'alert', subjectId: String(alert.id), limit: 10 })).reverse();
    expect(log.map((l) => [l.action, l.actor])).toEqual([
      ['alert.open', 'system:rules'],
      ['alert.acknowledge', 'key:op'],
      ['alert.dispatch', 'key:op'],
      ['alert.resolve', 'key:op'],
    ]);
    expect(log[1]).toMatchObject({ before: { state: 'firing' }, after: { state: 'acknowledged' }, detail: { comment: 'on it' } });
    // A new alert may open for the subject once the old one is resolved.
    expect((await db.transaction((tx) => openAlert(tx, input('luoshan'), rules))).created).toBe(true);
    expect(await db.transaction((tx) => autoResolve(tx, { ruleId: 'flood-warning', subject: 'luoshan', evidence: { reason: 'below clear level' } }, rules))).toMatchObject({ resolution: 'auto' });
  });

  it('turns the rule engine\'s emit hook into standard alert and task events (payload read back from the rows)', async () => {
    const id = await db.transaction(async (tx) => {
      const r = await tx.query<{ id: number }>(
        `INSERT INTO alerts (rule_id, subject, kind, severity, state, title, station, admin_unit) VALUES ('r-emit', 'jianli', 'flood', 'orange', 'firing', 'Jianli', 'jianli', '湖北省荆州市') RETURNING id`,
      );
      await emitDomainEvent(tx, 'alert.opened', { alert: { id: r.rows[0]!.id }, station: 'jianli' });
      await emitDomainEvent(tx, 'alert.deescalated', { alert: { id: r.rows[0]!.id, from: 'red' }, station: 'jianli' });
      return Number(r.rows[0]!.id);
    });
    const ev = await db.query<{ payload: { type: string; data: { id: number; severity: string; adminUnit: string } } }>("SELECT payload FROM webhook_events WHERE payload->'data'->>'ruleId' = 'r-emit'");
    expect(ev.rows.map((r) => r.payload)).toMatchObject([{ type: 'alert.opened', data: { id, severity: 'orange', adminUnit: '湖北省荆州市' } }]);
    const st = await db.query<{ type: string }>("SELECT type FROM stream_events WHERE topic = 'alert' AND station = 'jianli' ORDER BY id");
    expect(st.rows.map((r) => r.type)).toEqual(['alert.opened', 'alert.deescalated']);
  });

  it('keeps the audit log append-only', async () => {
    await expect(db.query('UPDATE audit_log SET actor = $1', ['mallory'])).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  });

  it('creates tasks, marks them overdue after the deadline, refuses moves from the wrong state', async () => {
    const { alert } = await db.transaction((tx) => openAlert(tx, input('shashi'), rules));
    const t = await db.transaction((tx) => createTask(tx, { alertId: alert.id, team: '荆州巡堤队', action: 'patrol dykes every 2 h', deadline: new Date(Date.now() - 1000) }, rules));
    const late = await db.transaction((tx) => markOverdue(tx, new Date(), rules));
    expect(late.map((x) => x.id)).toEqual([t.id]);
    const done = await db.transaction((tx) => moveTask(tx, t.id, 'done', op));
    expect(done.state).toBe('done');
    await expect(db.transaction((tx) => moveTask(tx, t.id, 'accept', op))).rejects.toMatchObject({ status: 409 });
    const types = (await db.query<{ type: string }>("SELECT type FROM webhook_events WHERE type LIKE 'task.%' ORDER BY created_at")).rows.map((r) => r.type);
    expect(types).toEqual(['task.created', 'task.overdue', 'task.done']);
  });

  it('serves the lifecycle over the API with roles: viewer reads, operator acts, 409 on a second acknowledge', async () => {
    const app = await testApp(db);
    const k = await roleKeys(db);
    const { alert } = await db.transaction((tx) => openAlert(tx, input('huangshi'), rules));
    const url = `/api/alerts/${alert.id}`;
    expect((await app.inject({ method: 'POST', url: `${url}/acknowledge`, headers: bearer(k.viewer), payload: {} })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `${url}/acknowledge`, headers: bearer(k.operator), payload: { comment: 'seen' } })).json()).toMatchObject({ state: 'acknowledged' });
    const second = await app.inject({ method: 'POST', url: `${url}/acknowledge`, headers: bearer(k.operator), payload: {} });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect((await app.inject({ method: 'POST', url: `${url}/comments`, headers: bearer(k.operator), payload: { text: '' } })).json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'body.text' }] });
    const detail = (await app.inject({ url, headers: bearer(k.viewer) })).json<{ evidence: unknown; comments: { text: string }[]; history: { action: string }[] }>();
    expect(detail.comments.map((c) => c.text)).toEqual(['seen']);
    expect(detail.history.map((h) => h.action)).toEqual(['alert.open', 'alert.acknowledge']);
    expect((await app.inject({ url: '/api/alerts?state=acknowledged&severity=yellow,orange', headers: bearer(k.viewer) })).json<{ id: number }[]>().map((a) => a.id)).toContain(alert.id);
    expect((await app.inject({ url: '/api/audit?subjectType=alert', headers: bearer(k.viewer) })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/audit?subjectType=alert', headers: bearer(k.admin) })).json<unknown[]>().length).toBeGreaterThan(0);
    await app.close();
  });

  it('serves the alerts of a window with their transitions up to its end in one request (viewer role)', async () => {
    const app = await testApp(db);
    const k = await roleKeys(db);
    const t0 = new Date();
    const { alert } = await db.transaction((tx) => openAlert(tx, { ...input('jianli'), at: t0 }, rules));
    await db.transaction((tx) => escalate(tx, { ruleId: 'flood-warning', subject: 'jianli', severity: 'red', evidence: {} }, rules));
    await db.transaction((tx) => acknowledge(tx, alert.id, op, 'watching jianli'));
    const { alert: old } = await db.transaction((tx) => openAlert(tx, { ...input('chenglingji'), at: new Date(t0.getTime() - 7_200_000) }, rules));
    await db.transaction((tx) => resolve(tx, old.id, op, 'gone'));
    const url = (from: Date, to: Date) => `/api/alerts/timeline?from=${from.toISOString()}&to=${to.toISOString()}`;
    const res = await app.inject({ url: url(new Date(t0.getTime() - 1000), new Date(Date.now() + 1000)), headers: bearer(k.viewer) });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ alerts: { id: number; severity: string }[]; events: { alertId: number; action: string; actor: string; before: unknown; after: unknown; detail: unknown }[]; truncated: boolean }>();
    expect(body.truncated).toBe(false);
    expect(body.alerts.find((a) => a.id === alert.id)).toMatchObject({ severity: 'red' });
    expect(body.events.filter((e) => e.alertId === alert.id).map((e) => [e.action, e.actor])).toEqual([
      ['alert.open', 'system:rules'],
      ['alert.escalate', 'system:rules'],
      ['alert.acknowledge', 'key:op'],
    ]);
    expect(body.events.find((e) => e.alertId === alert.id && e.action === 'alert.acknowledge')).toMatchObject({ detail: { comment: 'watching jianli' } });
    // opened before the window and resolved inside it: in, with its transitions from before the window
    expect(body.events.filter((e) => e.alertId === old.id).map((e) => e.action)).toEqual(['alert.open', 'alert.resolve']);
    // a window that ends before an alert opened leaves it out
    const before = (await app.inject({ url: url(new Date(t0.getTime() - 3_600_000), new Date(t0.getTime() - 60_000)), headers: bearer(k.viewer) })).json<{ alerts: { id: number }[] }>();
    expect(before.alerts.map((a) => a.id)).toContain(old.id);
    expect(before.alerts.map((a) => a.id)).not.toContain(alert.id);
    expect((await app.inject({ url: url(new Date(), t0), headers: bearer(k.viewer) })).json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await app.inject({ url: '/api/alerts/timeline?from=yesterday&to=now', headers: bearer(k.viewer) })).statusCode).toBe(400);
    await app.close();
  });
});
