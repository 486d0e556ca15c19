/**
 * The viewer in headless Chromium against the running system: station cards fill with live
 * values from the API, and no request leaves the machine (air-gapped command centres).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createLogger, migrate, openEmbeddedDb, type EmbeddedDb } from '@basin/platform';
import { startMosquitto, type TestMosquitto } from '@basin/platform/testing';
import * as ingest from '@basin/ingest';
import * as twin from '@basin/twin-engine';
import * as sim from '@basin/sensors-sim';
import { launchChromium } from './chromium.js';

const root = path.resolve(import.meta.dirname, '../..');
const shots = path.join(root, 'test-results');
const log = createLogger({ level: 'silent' });

describe('viewer in Chromium', () => {
  let broker: TestMosquitto;
  let db: EmbeddedDb;
  let services: { stop(): Promise<void> }[] = [];
  let browser: Browser;
  let url = '';

  beforeAll(async () => {
    const built = spawnSync(process.execPath, ['scripts/ensure-viewer.mjs'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('viewer build failed');
    broker = await startMosquitto();
    db = await openEmbeddedDb(null);
    await migrate(db);
    const env = { MQTT_URL: broker.url, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', INGEST_METRICS_PORT: '0', VIEWER_DIR: path.join(root, 'viewer/dist') };
    const ing = await ingest.start({ config: ingest.loadConfig({ ...env, INGEST_CLIENT_ID: 'browser-ingest' }), db, log, mqttUrl: broker.url });
    const tw = await twin.start({ config: twin.loadConfig({ ...env, API_ANONYMOUS_READ: 'true' }), db, log });
    const sm = await sim.start({ config: sim.loadConfig({ ...env, SIM_INTERVAL_S: '10', SIM_SPEED: '1', SIM_OUTBOX_DIR: mkdtempSync(path.join(tmpdir(), 'basin-outbox-')), SIM_CLIENT_ID: 'browser-sim' }), log, mqttUrl: broker.url });
    services = [sm, ing, tw];
    url = tw.url;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const s of services) await s.stop().catch(() => undefined);
    await db?.close();
    await broker?.dispose();
  });

  it.each([
    [1920, 1080],
    [3840, 2160],
  ])('shows live station values at %ix%i without external requests', async (width, height) => {
    const page = await browser.newPage({ viewport: { width, height } });
    const external: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (!['127.0.0.1', 'localhost'].includes(u.hostname) && u.protocol !== 'data:') external.push(r.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/`);
    const hankou = page.locator('[data-station="hankou"] tr[data-metric="water_level"] td.v');
    await hankou.waitFor({ timeout: 30_000 });
    expect(Number((await hankou.textContent()) ?? 'x')).toBeGreaterThan(0);
    expect(await page.locator('article.station').count()).toBeGreaterThan(20);
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/更新于/);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, `viewer-${width}x${height}.png`) });
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });
});
