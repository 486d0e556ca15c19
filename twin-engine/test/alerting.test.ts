import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@basin/platform';
import { start, loadConfig } from '../src/index.js';
import { silent, testDb } from './helpers.js';

/**
 * The wired path in one twin-engine process: committed readings -> LISTEN/NOTIFY -> live state ->
 * elected evaluator -> alert + plan tasks + webhook/stream events, on embedded TimescaleDB.
 */
describe('alerting in the twin-engine service', () => {
  let db: Db;
  let svc: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    db = await testDb('embedded');
    svc = await start({ config: loadConfig({ VIEWER_DIR: '/nonexistent', HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', WEBHOOKS_ENABLED: 'false' }), db, log: silent });
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
    await db?.close();
  });

  it('a committed reading above Shashi warning opens a yellow flood alert with the plan tasks and events', async () => {
    const until = Date.now() + 30_000;
    while (!svc.evaluator.isLeader && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(svc.evaluator.isLeader).toBe(true);
    const t = new Date();
    await db.query(`INSERT INTO readings (time, station, metric, value, quality) VALUES ($1, 'shashi', 'water_level', 43.2, 1)`, [t.toISOString()]);
    let alerts: { rule_id: string; severity: string; state: string }[] = [];
    for (let i = 0; i < 200 && alerts.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      alerts = (await db.query<{ rule_id: string; severity: string; state: string }>(`SELECT rule_id, severity, state FROM alerts WHERE station = 'shashi'`)).rows;
    }
    expect(alerts).toEqual([{ rule_id: 'flood-level-gauges', severity: 'yellow', state: 'firing' }]);
    const tasks = await db.query<{ plan_id: string }>(`SELECT plan_id FROM tasks WHERE station = 'shashi'`);
    expect(tasks.rows.map((r) => r.plan_id)).toEqual(['flood-gauge-yellow', 'flood-gauge-yellow']);
    const events = await db.query<{ type: string }>(`SELECT type FROM stream_events WHERE topic IN ('alert', 'task') ORDER BY id`);
    expect(events.rows.map((r) => r.type)).toEqual(expect.arrayContaining(['alert.opened', 'task.created']));
  }, 60_000);
});
