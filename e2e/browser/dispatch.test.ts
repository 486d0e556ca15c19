/**
 * Alert → acknowledge → dispatch from the plan, in the browser, against the running system: an
 * admin adds a rule over the API (NH3-N above 1.0 mg/L at the Zongguan intake, resolved only by an
 * operator), a reading published over MQTT fires it, and an operator signed in with an API key
 * opens the alert in the alert pane, acknowledges it and dispatches a task of the matching 预案
 * (spill-wuhan-intake). The API's alert and task state and the pane are checked after each step.
 * Then the same operator runs a 预演 rehearsal of a Three Gorges release from the wall.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { topics, type RuleDefinitionInput } from '@basin/schemas';
import { createApiKey } from '@basin/twin-engine/testing';
import { launchChromium } from './chromium.js';
import { openWall, shot, startSystem, type RunningSystem } from './system.js';
import { canvasVariance, layoutProblems } from './wall-checks.js';

const STATION = 'intake-zongguan';
const RULE: RuleDefinitionInput = {
  id: 'e2e-zongguan-nh3n',
  name: { zh: '宗关取水口氨氮超标', en: 'Zongguan intake NH3-N high' },
  severity: 'orange',
  alertType: 'pollution',
  scope: { stations: [STATION] },
  condition: { type: 'threshold', metric: 'nh3n', op: '>', value: 1.0 },
  autoResolve: false,
  acceptSuspect: true,
};
const SAMPLING_TEAM = '环境应急监测队 / Environmental emergency monitoring team';

interface Alert { id: number; state: string; ruleId: string; acknowledgedBy: string | null }
interface Task { id: number; alertId: number | null; team: string; createdBy: string; state: string }

describe('alert to dispatched task in Chromium', () => {
  let system: RunningSystem;
  let browser: Browser;
  let keys: { admin: string; operator: string };

  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${system.url}/api/${path}`, { headers: { authorization: `Bearer ${keys.operator}` } });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };

  beforeAll(async () => {
    system = await startSystem();
    keys = { admin: await createApiKey(system.db, 'e2e admin', 'admin'), operator: await createApiKey(system.db, 'e2e operator', 'operator') };
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('opens the alert, acknowledges it and dispatches a plan task; the API and the pane follow', async () => {
    const put = await fetch(`${system.url}/api/rules/${RULE.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(RULE),
    });
    expect(put.status).toBe(200);

    // publish NH3-N 1.2 mg/L (GB 3838 class IV) until the evaluator, which picks up the new rule
    // within a third of its lease, has opened the alert
    const client = await mqtt.connectAsync(system.brokerUrl, { clientId: 'browser-dispatch-publisher' });
    let seq = 2_000_000_000;
    const alertOf = async () => (await get<Alert[]>(`alerts?ruleId=${RULE.id}`))[0];
    await expect
      .poll(
        async () => {
          const batch = { v: 1, source: 'browser-test', readings: [{ metric: 'nh3n', value: 1.2, ts: Date.now(), seq: seq++ }] };
          await client.publishAsync(topics.stationReadings('water', STATION), JSON.stringify(batch), { qos: 1 });
          return (await alertOf())?.state;
        },
        { timeout: 90_000, interval: 2_000 },
      )
      .toBe('firing');
    await client.endAsync();
    const alert = (await alertOf())!;
    const id = String(alert.id);

    const { page, errors, external } = await openWall(browser, system.url, 1920, 1080, 'light=1&tour=0');
    page.once('dialog', (d) => void d.accept(keys.operator));
    await page.locator('#key-btn').click();
    await expect.poll(() => page.locator('#key-btn').textContent()).toBe('退出');

    // open the alert: its plan and the tasks the engine already created from it show
    const li = page.locator(`li.alert[data-alert="${id}"]`);
    await li.locator('.msg').click({ timeout: 30_000 });
    await expect.poll(() => li.getAttribute('aria-expanded')).toBe('true');
    await li.locator('.plan-name', { hasText: '武汉取水口氨氮污染应急响应' }).waitFor({ timeout: 30_000 });
    const sampling = li.locator('[data-ptask="spill-wuhan-intake/sampling"]');
    await sampling.waitFor();

    // acknowledge
    await li.locator('button[data-act="ack"]').click();
    await expect.poll(async () => (await alertOf())!.state, { timeout: 15_000 }).toBe('acknowledged');
    const operator = (await alertOf())!.acknowledgedBy;
    expect(operator).toBeTruthy();
    await expect.poll(() => li.locator('.state').textContent(), { timeout: 15_000 }).toBe('已确认');

    // dispatch one more sampling round from the plan
    const before = await get<Task[]>(`tasks?alertId=${id}`);
    await sampling.locator('input[type=checkbox]').check();
    await expect.poll(() => li.locator('button.go').textContent()).toBe('派发所选任务 (1)');
    await li.locator('button.go').click();
    await expect.poll(async () => (await alertOf())!.state, { timeout: 15_000 }).toBe('dispatched');
    const after = await get<Task[]>(`tasks?alertId=${id}`);
    const made = after.filter((t) => !before.some((b) => b.id === t.id));
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ alertId: alert.id, team: SAMPLING_TEAM, state: 'open' });
    expect(made[0]!.createdBy).toBe(operator); // the operator's, not the plan engine's

    // the pane: dispatched, the alert's task list and the task board carry the new task
    await expect.poll(() => li.locator('.state').textContent(), { timeout: 15_000 }).toBe('已派发');
    await expect.poll(() => li.locator('ul.atasks li').count(), { timeout: 15_000 }).toBe(after.length);
    await expect.poll(() => page.locator(`#tasks li[data-task="${made[0]!.id}"]`).count(), { timeout: 15_000 }).toBe(1);
    await page.waitForTimeout(1000);
    await shot(page, 'dispatch-1920x1080.png');
    // long task texts stay inside the pane (before: the page scrolled sideways under the station panel)
    expect(await layoutProblems(page)).toEqual([]);
    expect(await page.evaluate(() => [document.scrollingElement!.scrollLeft, document.getElementById('app')!.scrollLeft])).toEqual([0, 0]);
    const overlap = await page.evaluate(() => {
      const p = document.getElementById('panel')!.getBoundingClientRect();
      const c = document.getElementById('command')!.getBoundingClientRect();
      return p.width > 0 && p.right > c.left + 0.5;
    });
    expect(overlap).toBe(false);

    // the 24 h replay: at its end the alert is open as it was (dispatched) and the task board lists
    // the operator's acknowledge and dispatch; 24 h ago this fresh system had no alert
    await page.locator('#replay-btn').click();
    await page.locator('#replay-range').waitFor({ state: 'visible', timeout: 30_000 });
    const past = page.locator(`#alerts li.alert[data-alert="${id}"]`);
    await expect.poll(() => past.locator('.state').textContent(), { timeout: 15_000 }).toBe('已派发');
    expect(await past.locator('button').count()).toBe(0); // read-only in the replay
    await expect.poll(() => page.locator('#tasks h3').textContent()).toBe('操作记录');
    const acts = page.locator(`#tasks li.action[data-action-alert="${id}"]`);
    expect(await acts.locator('b').allTextContents()).toEqual([`派发 · #${id}`, `确认 · #${id}`]);
    expect(await acts.first().locator('.t-meta').textContent()).toContain(operator!);
    await shot(page, 'replay-alerts-1920x1080.png');
    await page.locator('#replay-range').fill('0');
    await expect.poll(() => past.count()).toBe(0);
    await expect.poll(() => acts.count()).toBe(0);
    await page.locator('#replay-btn').click();
    await expect.poll(() => page.locator('#tasks h3').textContent()).toBe('调度任务');
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  }, 600_000);

  it('rehearses a Three Gorges release from the wall: Shashi predicted above warning on the map and in the pane, nothing raised live', async () => {
    // 24 h of hourly inputs ending this hour (as in the rehearsal API test): the release, Yichang
    // and Shashi flows and stages, so the forecast the rehearsal runs has a known start
    const H = 3_600_000;
    const now = Math.floor(Date.now() / H) * H;
    const stageOf = (q: number) => 20 + 0.105 * Math.sqrt(q); // Shashi at 30,000 m³/s ≈ 38.2 m, warning 43 m
    for (let h = 23; h >= 1; h--) {
      const t = new Date(now - h * H).toISOString();
      const q = 29_000 + 80 * (23 - h);
      for (const [st, m, v] of [['three-gorges', 'outflow', q], ['yichang', 'discharge', q], ['yichang', 'water_level', stageOf(q) + 5], ['shashi', 'discharge', q], ['shashi', 'water_level', stageOf(q)]] as const)
        await system.db.query(`INSERT INTO readings (time, station, metric, value, quality) VALUES ($1, $2, $3, $4, 1) ON CONFLICT DO NOTHING`, [t, st, m, v]);
    }
    const alertsBefore = (await get<Alert[]>('alerts?limit=500')).length;

    const { page, errors, external } = await openWall(browser, system.url, 1920, 1080, 'light=1&tour=0');
    page.once('dialog', (d) => void d.accept(keys.operator));
    await page.locator('#key-btn').click();
    await expect.poll(() => page.locator('#key-btn').textContent()).toBe('退出');
    await expect.poll(() => page.evaluate(() => window.basin!.layer.colorOf('shashi'))).toMatch(/^#/);
    const live = await page.evaluate(() => window.basin!.layer.colorOf('shashi'));

    await page.locator('#rehearse-btn').click();
    await page.locator('#rh-type').selectOption('reservoir_outflow');
    await page.locator('#rh-station').selectOption('three-gorges');
    await page.locator('#rh-amount').fill('60000');
    await page.locator('#rh-hours').fill('48');
    await page.locator('#rh-horizon').selectOption('72');
    await page.locator('#rh-name').fill('三峡下泄 60000');
    await page.locator('button[data-act="rh-add"]').click();
    await expect.poll(() => page.locator('.rh-mods li').count()).toBe(1);
    expect(await page.locator('#rh-name').inputValue()).toBe('三峡下泄 60000'); // kept across the redraw
    await page.locator('button[data-act="rh-run"]').click();
    await page.locator('[data-rehearsal-state="done"]').waitFor({ timeout: 120_000 });

    // the pane: Shashi's alerts and its predicted peak above warning (a flood dot) against the baseline
    await expect.poll(() => page.locator('li[data-rh-alert="shashi"]').count()).toBeGreaterThan(0);
    const row = page.locator('.rh-peaks tr[data-station="shashi"][data-metric="water_level"]');
    expect(await row.locator('.dot').count()).toBe(1);
    // the map: Shashi in its predicted flood colour (yellow or worse), then live again on the switch
    const predicted = await page.evaluate(() => window.basin!.layer.colorOf('shashi'));
    expect(['#ffd400', '#ff8a00', '#ff2d2d']).toContain(predicted);
    await row.click();
    await expect.poll(() => page.locator('.rh-chart svg').count()).toBe(1);
    await page.waitForTimeout(3500); // the camera flight to the picked station
    await shot(page, 'rehearsal-1920x1080.png');
    expect(await layoutProblems(page)).toEqual([]);
    await page.locator('button[data-act="rh-map"]').click();
    await expect.poll(() => page.evaluate(() => window.basin!.layer.colorOf('shashi'))).not.toBe(predicted);
    await page.locator('button[data-act="rh-close"]').click();
    expect(await page.locator('#rehearsal').isHidden()).toBe(true);
    expect(live).toMatch(/^#/);

    // the deck.gl analysis view draws the newest forecast flood wave (as many gauges as the API has
    // forecasts with a stage series) or says there is none yet
    const forecasts = await get<Array<{ station: string; series: Record<string, unknown[]> }>>('forecasts');
    const withStage = forecasts.filter((f) => (f.series.water_level?.length ?? 0) > 0).length;
    await page.locator('#analysis-btn').click();
    await expect.poll(() => page.locator('#analysis-note').textContent(), { timeout: 30_000 }).toContain(withStage > 0 ? `洪水预报站 ${withStage}` : '暂无洪水预报');
    await page.waitForTimeout(2000);
    expect(await canvasVariance(page, '#analysis canvas')).toBeGreaterThan(8);
    await shot(page, 'analysis-1920x1080.png');
    await page.locator('#analysis-btn').click();

    // nothing live was raised by the rehearsal
    expect((await get<Alert[]>('alerts?limit=500')).filter((a) => a.ruleId !== RULE.id).length).toBeLessThanOrEqual(alertsBefore);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  }, 600_000);
});
