/**
 * Benchmark: the viewer's station layer (StationLayer: all symbols as one primitive of our own, one draw of point sprites) against a
 * naive one-Entity-per-station layer, in Debian's Chromium on SwiftShader, same page, same run.
 *
 *   npm run bench -- viewer [--stations 10000] [--updates 1000] [--frame-ms 1000] [--seconds 15] [--rounds 5] [--width 960 --height 540]
 *
 * Each round loads viewer/dist/bench.html afresh (served from this process) and runs one mode:
 * N stations scattered over the basin, frames rendered with `viewer.render()` (Cesium's default
 * render loop off). Frames are paced at one per --frame-ms and each carries exactly
 * U × frame-ms / 1000 colour updates (U per second), drawn from the same random sequence in both
 * modes, so both do the same work per frame whatever their GPU time (SwiftShader takes most of a
 * second per frame here; a mode drawing faster would otherwise get fewer updates per frame).
 * Updates to the colour a station already has are skipped in both modes.
 *
 * main_thread_ms per frame = applying that frame's updates (StationLayer.setColor, or assigning
 * each Entity's billboard colour) + Cesium's render call (for Entities it includes the
 * DataSourceDisplay update that turns entity changes into primitives): all the main-thread work
 * the updates cause. After each frame the page waits for the GPU to finish it (a WebGL2 fence), so
 * the software rasteriser's backlog does not block the next frame's GL calls and count as
 * main-thread time (see bench-page.ts). main_thread_cpu_ms is the renderer main thread's CPU time
 * of the same span (CDP Performance.getMetrics ThreadTime, read before and after; the cost of the
 * reads, measured in every frame by two reads back to back, is subtracted): unlike wall time it
 * does not grow when the other processes of a shared machine take the core.
 *
 * Both modes run the same loop (unpaced) until the view's globe tiles are loaded (warm-up, not
 * recorded), then are measured for --seconds. Modes alternate (P E P E …) so drift on a shared
 * machine hurts both; the figure per mode is the median over its rounds of the per-round median
 * frame. The globe uses the light settings (no MSAA, no atmosphere) at 960×540 by default: frame
 * rates here are bound by software rasterisation, so fps ratios say little; main-thread time is the
 * figure that transfers to a wall with a GPU.
 *
 * Last line: {"bench":"viewer","stations":N,"updates_per_s":U,"primitive":{…},"entity":{…},"main_thread_ratio":E/P,"main_thread_cpu_ratio":E/P}
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../e2e/browser/chromium.js';

const { values: a } = parseArgs({
  options: {
    stations: { type: 'string', default: '10000' },
    updates: { type: 'string', default: '1000' },
    'frame-ms': { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '5' },
    width: { type: 'string', default: '960' },
    height: { type: 'string', default: '540' },
  },
});
const N = Number(a.stations);
const U = Number(a.updates);
const SECONDS = Number(a.seconds);
const ROUNDS = Number(a.rounds);
const FRAME_MS = Number(a['frame-ms']);

const root = path.resolve(import.meta.dirname, '..');
const built = spawnSync(process.execPath, ['scripts/ensure-viewer.mjs'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
const dist = path.join(root, 'viewer/dist');

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.jpg': 'image/jpeg', '.xml': 'application/xml', '.wasm': 'application/wasm' };
const server = http.createServer((req, res) => {
  const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const file = path.join(dist, path.normalize(rel));
  if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;

interface Result {
  mode: 'primitive' | 'entity';
  frames: number;
  first_frame_ms: number;
  main_thread_ms: number;
  main_thread_p95_ms: number;
  update_ms: number;
  render_ms: number;
  main_thread_cpu_ms: number | null;
  fps: number;
  updates_applied: number;
}

const browser = await launchChromium();
const results: Result[] = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of ['primitive', 'entity'] as const) {
      const page = await browser.newPage({ viewport: { width: Number(a.width), height: Number(a.height) } });
      page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      await page.exposeFunction('benchThreadMs', async () => {
        const { metrics } = await cdp.send('Performance.getMetrics');
        return (metrics.find((m) => m.name === 'ThreadTime')?.value ?? Number.NaN) * 1000;
      });
      await page.goto(`http://127.0.0.1:${port}/bench.html`);
      await page.waitForFunction(() => 'runBench' in window, null, { timeout: 120_000 });
      const res = (await page.evaluate(
        ([m, n, u, s, f]) => (window as unknown as { runBench: (...x: unknown[]) => Promise<Result> }).runBench(m, n, u, s, f),
        [mode, N, U, SECONDS, FRAME_MS] as const,
      )) as Result;
      results.push(res);
      process.stdout.write(
        `round ${r + 1} ${mode.padEnd(9)} first frame ${res.first_frame_ms} ms  main thread ${res.main_thread_ms} ms/frame (p95 ${res.main_thread_p95_ms}; updates ${res.update_ms} + render ${res.render_ms}; CPU ${res.main_thread_cpu_ms})  ${res.fps} fps  ${res.frames} frames  ${res.updates_applied} updates\n`,
      );
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
function summary(mode: 'primitive' | 'entity') {
  const rs = results.filter((x) => x.mode === mode);
  return {
    main_thread_ms: median(rs.map((x) => x.main_thread_ms)),
    main_thread_p95_ms: median(rs.map((x) => x.main_thread_p95_ms)),
    update_ms: median(rs.map((x) => x.update_ms)),
    render_ms: median(rs.map((x) => x.render_ms)),
    main_thread_cpu_ms: median(rs.map((x) => x.main_thread_cpu_ms ?? Number.NaN)),
    first_frame_ms: median(rs.map((x) => x.first_frame_ms)),
    fps: median(rs.map((x) => x.fps)),
    updates_per_s_applied: Math.round(median(rs.map((x) => x.updates_applied / (x.frames / x.fps)))),
  };
}
const p = summary('primitive');
const e = summary('entity');
const ratio = Number((e.main_thread_ms / p.main_thread_ms).toFixed(2));
const cpuRatio = Number((e.main_thread_cpu_ms / p.main_thread_cpu_ms).toFixed(2));
process.stdout.write(`\n${N} stations, ${U} updates/s, ${a.width}x${a.height}: main thread per frame ${p.main_thread_ms} ms (primitives) vs ${e.main_thread_ms} ms (one Entity each) = ${ratio}x; CPU ${p.main_thread_cpu_ms} vs ${e.main_thread_cpu_ms} ms = ${cpuRatio}x\n`);
process.stdout.write(`${JSON.stringify({ bench: 'viewer', stations: N, updates_per_s: U, frame_ms: FRAME_MS, rounds: ROUNDS, primitive: p, entity: e, main_thread_ratio: ratio, main_thread_cpu_ratio: cpuRatio })}\n`);
