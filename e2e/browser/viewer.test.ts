/**
 * The command wall in headless Chromium (SwiftShader) against the system on embedded defaults
 * (aedes broker, PGlite-TimescaleDB, ingest, twin-engine, simulator): the globe renders, the
 * stations appear, a reading published over MQTT reaches the station panel within 5 s, the
 * large-screen layout fits 1920×1080 and 3840×2160 without overlap, and no request leaves the host.
 * Screenshots go to test-results/ (the README's come from here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { topics } from '@basin/schemas';
import { launchChromium } from './chromium.js';
import { GLOBE_TIMEOUT, openWall, shot, startSystem, type RunningSystem } from './system.js';
import { canvasVariance, layoutProblems, symbolPixel } from './wall-checks.js';

describe('command wall in Chromium', () => {
  let system: RunningSystem;
  let browser: Browser;
  let url = '';

  beforeAll(async () => {
    system = await startSystem();
    url = system.url;
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('renders the globe and the stations, opens a station by picking it and shows a new reading within 5 s', async () => {
    const { page, external, errors } = await openWall(browser, url, 1920, 1080, 'light=1');
    expect(await canvasVariance(page)).toBeGreaterThan(8);
    await expect.poll(() => page.evaluate(() => window.basin!.layer.size), { timeout: 30_000 }).toBeGreaterThan(30);
    await expect.poll(() => page.locator('[data-kpi="online"] b').textContent(), { timeout: 60_000 }).toMatch(/^[1-9]\d*\//);
    await expect.poll(() => page.locator('#conn').getAttribute('class')).toBe('ok');

    // pick the Hankou gauge on the globe the way an operator does: fly there, click its symbol
    await page.evaluate(() => window.basin!.flyTo('hankou'));
    await page.locator('#panel').waitFor({ state: 'visible' });
    await page.evaluate(() => window.basin!.closePanel());
    await page.waitForTimeout(3500); // the camera flight
    const xy = await page.evaluate(() => window.basin!.screenPosition('hankou'));
    expect(xy).not.toBeNull();
    // its symbol is drawn there in its status colour (the drawn symbol, not only the pick pass)
    await expect.poll(() => symbolPixel(page, 'hankou', xy!), { timeout: 10_000 }).toEqual({ match: true, drawn: expect.any(Array), wanted: expect.any(Array) });
    await page.mouse.click(xy!.x, xy!.y);
    await expect.poll(() => page.locator('#panel h2').textContent(), { timeout: 10_000 }).toContain('汉口');
    await expect.poll(() => page.locator('#panel tr[data-metric="water_level"] td.u').textContent()).toBe('m');

    // a reading published now shows in the open panel within 5 s (recorded as it appears: the
    // simulator's next reading of the same gauge may replace it a few seconds later)
    await page.evaluate(() => {
      const seen: string[] = ((window as unknown as { seenStages: string[] }).seenStages = []);
      new MutationObserver(() => {
        const v = document.querySelector('#panel tr[data-metric="water_level"] td.v')?.textContent;
        if (v && seen[seen.length - 1] !== v) seen.push(v);
      }).observe(document.getElementById('panel')!, { subtree: true, childList: true, characterData: true });
    });
    const client = await mqtt.connectAsync(system.brokerUrl, { clientId: 'browser-test-publisher' });
    // A distinctive stage close to the current one: a jump of metres would be (rightly) failed by
    // ingest's spike check and never become the latest value.
    const current = Number(await page.locator('#panel tr[data-metric="water_level"] td.v').textContent());
    const value = Math.round((current + 0.2 + Math.random() * 0.1) * 1000) / 1000;
    const batch = { v: 1, source: 'browser-test', readings: [{ metric: 'water_level', value, ts: Date.now(), seq: 2_000_000_000 }] };
    const published = Date.now();
    await client.publishAsync(topics.stationReadings('hydro', 'hankou'), JSON.stringify(batch), { qos: 1 });
    await client.endAsync();
    await expect.poll(() => page.evaluate(() => (window as unknown as { seenStages: string[] }).seenStages), { timeout: 5_000, interval: 100 }).toContain(value.toFixed(2));
    expect(Date.now() - published).toBeLessThanOrEqual(5_500); // poll granularity
    await page.waitForTimeout(1500); // sparklines and chart
    await shot(page, 'command-1920x1080.png');

    // the gauge chart says whether a forecast band is drawn (a fresh system has no forecast run yet:
    // the panel says so and keeps its chart)
    await expect.poll(() => page.locator('#panel [data-forecast]').getAttribute('data-band')).toMatch(/^(yes|no)$/);
    expect(await page.locator('#panel [data-forecast]').textContent()).toMatch(/预报/);
    expect(await page.locator('#panel [data-chart] svg').count()).toBe(1);

    // the three.js detail twin of the gauge, on the same page (WebGL2 on SwiftShader)
    await page.locator('#panel button[data-act="twin"]').click();
    await expect.poll(() => page.evaluate(() => window.basin!.twin()?.frames ?? 0), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await canvasVariance(page, '#twin canvas')).toBeGreaterThan(8);
    expect(await page.locator('#twin .twin-labels [data-mark="warning"]').textContent()).toBe('警戒 27.30 m');
    expect(await page.locator('#twin .stage').textContent()).toMatch(/^水位 \d+\.\d\d m$/);
    expect(await page.evaluate(() => (document.querySelector('#twin canvas') as HTMLCanvasElement).getContext('webgl2') !== null)).toBe(true);
    await shot(page, 'twin-1920x1080.png');
    await page.locator('#twin button[data-act="close-twin"]').click();
    expect(await page.locator('#twin').isHidden()).toBe(true);

    // the Three Gorges dam twin: pool against 正常蓄水 175 m and the levels in force, outflow shown
    await page.evaluate(() => window.basin!.flyTo('three-gorges'));
    await expect.poll(() => page.locator('#panel h2').textContent()).toContain('三峡');
    await page.locator('#panel button[data-act="twin"]').click();
    await expect.poll(() => page.evaluate(() => window.basin!.twin()?.frames ?? 0), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await canvasVariance(page, '#twin canvas')).toBeGreaterThan(8);
    expect(await page.locator('#twin .twin-labels [data-mark="normalPool"]').textContent()).toBe('正常蓄水 175.00 m');
    expect(await page.locator('#twin [data-outflow]').textContent()).toMatch(/^出库 (\d+ m³\/s|—)$/);
    await page.waitForTimeout(3500); // the camera flight behind the overlay
    await shot(page, 'dam-1920x1080.png');
    await page.locator('#twin button[data-act="close-twin"]').click();

    // reaches coloured by the twin's live state (water class of their sections, flood colour of gauges)
    await page.evaluate(() => window.basin!.closePanel());
    expect(await page.evaluate(() => window.basin!.reaches.size)).toBeGreaterThan(10);
    await expect.poll(() => page.evaluate(() => window.basin!.state.reachesColoured), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.locator('#presets button[data-preset="basin"]').click();
    await page.waitForTimeout(3500); // the camera flight
    await page.waitForFunction(() => window.basin!.viewer.scene.globe.tilesLoaded, null, { timeout: GLOBE_TIMEOUT, polling: 500 });
    await shot(page, 'reaches-1920x1080.png');
    // Hubei's 17 prefecture-level and 103 county-level divisions outlined under the rivers
    const drawn = await page.evaluate(() => window.basin!.boundaries);
    expect(drawn.prefectures).toBeGreaterThanOrEqual(17);
    expect(drawn.counties).toBeGreaterThanOrEqual(103);

    // timeline replay of the last 24 h: 24 h ago this fresh system had no readings, at the end it has
    await page.locator('#replay-btn').click();
    await page.locator('#replay-range').waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('#replay-range').fill('0');
    await expect.poll(() => page.locator('[data-kpi="online"] b').textContent()).toMatch(/^0\//);
    await page.locator('#replay-range').fill('1440');
    await expect.poll(() => page.locator('[data-kpi="online"] b').textContent()).toMatch(/^[1-9]\d*\//);
    expect(await page.locator('#replay-at').textContent()).toMatch(/^\d\d-\d\d \d\d:\d\d$/);
    await shot(page, 'replay-1920x1080.png');
    await page.locator('#replay-btn').click();
    await expect.poll(() => page.locator('#replay-range').isHidden()).toBe(true);

    // endpoints the server does not have yet read "not available", never break the wall
    const alertsPane = await page.locator('#alerts').textContent();
    expect(alertsPane).toMatch(/预警队列/);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  }, 600_000);

  it('large-screen mode lays out at 1920×1080 and 3840×2160 without overlap, in Chinese and in English', async () => {
    const { page, external, errors } = await openWall(browser, url, 1920, 1080, 'wall=1&tour=0&light=1');
    await expect.poll(() => page.locator('#conn').getAttribute('class'), { timeout: 30_000 }).toBe('ok');
    expect(await canvasVariance(page)).toBeGreaterThan(8);
    for (const [width, height] of [[1920, 1080], [3840, 2160]] as const) {
      if (width !== 1920) {
        // software rendering: half the pixels at 4K (the layout is what is checked here)
        await page.evaluate(() => (window.basin!.viewer.resolutionScale = 0.5));
        await page.setViewportSize({ width, height });
        await page.waitForFunction(() => window.basin!.viewer.scene.globe.tilesLoaded, null, { timeout: GLOBE_TIMEOUT, polling: 500 });
      }
      for (const lang of ['zh', 'en'] as const) {
        const want = lang === 'zh' ? /长江/ : /Basin/;
        if (!want.test((await page.locator('#title').textContent()) ?? '')) await page.locator('#lang-btn').click();
        await expect.poll(() => page.locator('#title').textContent()).toMatch(want);
        expect(await layoutProblems(page), `${width}x${height} ${lang}`).toEqual([]);
        await shot(page, `wall-${width}x${height}-${lang}.png`);
      }
    }
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  }, 600_000);
});
