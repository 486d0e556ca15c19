/**
 * The system on embedded defaults for the browser tests (aedes broker, PGlite-TimescaleDB,
 * ingest and twin-engine serving the built viewer, started by e2e/system.ts, simulator), and the
 * wall page opened in Chromium.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createLogger, migrate, openEmbeddedDb, startEmbeddedBroker, type EmbeddedDb } from '@basin/platform';
import * as sim from '@basin/sensors-sim';
import { startServices } from '../system.js';
import { watchExternalRequests } from './chromium.js';
import './page-globals.js';

export const root = path.resolve(import.meta.dirname, '../..');
const shots = path.join(root, 'test-results');
const log = createLogger({ level: 'silent' });
/** Globe tiles take 9–13 s at 1080p on SwiftShader; much longer on a loaded 2-core machine. */
export const GLOBE_TIMEOUT = 240_000;

export interface RunningSystem {
  url: string;
  brokerUrl: string;
  db: EmbeddedDb;
  stop(): Promise<void>;
}

/** `twinEnv`: extra twin-engine settings (e.g. a short forecast debounce so a run exists within the test). */
export async function startSystem(twinEnv: Record<string, string> = {}): Promise<RunningSystem> {
  const built = spawnSync(process.execPath, ['scripts/ensure-viewer.mjs'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('viewer build failed');
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, log });
  const db = await openEmbeddedDb(null);
  await migrate(db);
  const { env, ingest: ing, twin: tw } = await startServices({ mqttUrl: broker.url, db, viewerDir: path.join(root, 'viewer/dist'), ingestEnv: { INGEST_CLIENT_ID: 'browser-ingest' }, twinEnv });
  const sm = await sim.start({ config: sim.loadConfig({ ...env, SIM_INTERVAL_S: '10', SIM_SPEED: '1', SIM_OUTBOX_DIR: mkdtempSync(path.join(tmpdir(), 'basin-outbox-')), SIM_CLIENT_ID: 'browser-sim' }), log, mqttUrl: broker.url });
  return {
    url: tw.url,
    brokerUrl: broker.url,
    db,
    async stop() {
      for (const s of [sm, ing, tw]) await s.stop().catch(() => undefined);
      await db.close();
      await broker.close();
    },
  };
}

/** The wall at this size, once its globe tiles are loaded; requests leaving the host and page errors recorded. */
export async function openWall(browser: Browser, url: string, width: number, height: number, query: string) {
  const page = await browser.newPage({ viewport: { width, height } });
  const external = watchExternalRequests(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/?${query}`);
  await page.waitForFunction(() => window.basin?.ready === true && window.basin.viewer.scene.globe.tilesLoaded, null, { timeout: GLOBE_TIMEOUT, polling: 500 });
  return { page, external, errors };
}

/** A screenshot in test-results/ (the README's come from there). */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(shots, { recursive: true });
  const file = path.join(shots, name);
  await page.screenshot({ path: file, timeout: 60_000 });
  return file;
}
