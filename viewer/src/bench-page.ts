import './cesium-base';
import { Cartesian3, Color, NearFarScalar, type Entity } from 'cesium';
import type { StationKind } from '@basin/schemas';
import { createGlobe, flyToPreset } from './globe';
import { PRESETS } from './presets';
import { KIND_SHAPE, shapeImage } from './station-shapes';
import { StationLayer } from './station-layer';

/**
 * Benchmark page (bench/viewer.ts drives it in Chromium): N stations over the basin with U colour
 * updates per second, drawn either as the viewer's primitive layer or naively as one Entity each.
 * Main-thread time per frame = applying the frame's colour updates (StationLayer.setColor, or the
 * Entity property assignments) + Cesium's render call (which for Entities includes the
 * DataSourceDisplay update that turns entity changes into primitives). Frames are paced: each
 * carries exactly U × frameMs / 1000 updates (the same random sequence in both modes), so the two
 * modes do identical work per frame whatever their GPU time.
 */
const KINDS = Object.keys(KIND_SHAPE) as StationKind[];
const PALETTE = ['#3fe0a0', '#2f7bff', '#ffd400', '#ff8a00', '#ff2d2d', '#7b8794'];

export interface BenchResult {
  mode: 'primitive' | 'entity';
  stations: number;
  updates_per_s: number;
  frames: number;
  first_frame_ms: number;
  main_thread_ms: number;
  main_thread_p95_ms: number;
  update_ms: number;
  render_ms: number;
  /** Main-thread CPU time of the same span (updates + render), when the driver provides a thread clock. */
  main_thread_cpu_ms: number | null;
  fps: number;
  updates_applied: number;
}

/** The renderer main thread's CPU time in ms, read by the driver over CDP (Performance.getMetrics ThreadTime). */
type ThreadClock = () => Promise<number>;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** Warm-up: frames in a row with all tiles of the view loaded, at most this long. */
const WARM_UP_FRAMES = 3;
const WARM_UP_MAX_MS = 60_000;

const frame = () => new Promise<number>((r) => requestAnimationFrame(r));
/**
 * Waits until the GPU has executed every command sent so far (a WebGL2 fence, polled: its status
 * changes only between tasks). Software rasterisation here takes far longer than a frame; without
 * this, the next frame's GL calls would block on the full command buffer and the GPU's time would
 * show up as main-thread time, the same for both modes, hiding the difference measured.
 */
async function gpuIdle(gl: WebGL2RenderingContext, timeoutMs = 10_000): Promise<void> {
  const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
  if (!sync) return;
  gl.flush();
  const until = performance.now() + timeoutMs;
  while (gl.getSyncParameter(sync, gl.SYNC_STATUS) !== gl.SIGNALED && performance.now() < until) await new Promise((r) => setTimeout(r, 2));
  gl.deleteSync(sync);
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? 0;
const p95 = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length * 0.95)] ?? 0;

async function run(mode: 'primitive' | 'entity', n: number, updatesPerS: number, seconds: number, frameMs = 1000): Promise<BenchResult> {
  const t0 = performance.now();
  const viewer = createGlobe(document.getElementById('globe')!, { light: true, tiles: null });
  viewer.scene.requestRenderMode = false;
  viewer.resolutionScale = 1;
  viewer.useDefaultRenderLoop = false;
  flyToPreset(viewer, PRESETS[0]!, 0);
  const rand = rng(42);
  const ids: string[] = [];
  const pts = Array.from({ length: n }, (_, i) => {
    ids.push(`s${i}`);
    return { id: `s${i}`, kind: KINDS[i % KINDS.length]!, lon: 106 + rand() * 12, lat: 28 + rand() * 5 };
  });
  let apply: (id: number, color: string) => void;
  if (mode === 'primitive') {
    const layer = new StationLayer(viewer.scene);
    layer.setStations(pts);
    apply = (i, c) => layer.setColor(ids[i]!, c);
  } else {
    const colors = PALETTE.map((c) => Color.fromCssColorString(c));
    const entities: Entity[] = pts.map((p) =>
      viewer.entities.add({
        id: p.id,
        position: Cartesian3.fromDegrees(p.lon, p.lat, 0),
        billboard: { image: shapeImage(KIND_SHAPE[p.kind]), scale: 0.4, color: Color.fromCssColorString('#4a5561'), scaleByDistance: new NearFarScalar(2e5, 1.6, 8e6, 0.7), disableDepthTestDistance: Number.POSITIVE_INFINITY },
      }),
    );
    // like StationLayer.setColor, an update to the colour a station already has is skipped
    const current = new Int8Array(n).fill(-1);
    apply = (i, c) => {
      const k = PALETTE.indexOf(c);
      if (current[i] === k) return;
      current[i] = k;
      entities[i]!.billboard!.color = colors[k] as never;
    };
  }
  viewer.render();
  const firstFrame = performance.now() - t0;
  await frame();
  const gl = viewer.canvas.getContext('webgl2')!;
  const clock = (window as unknown as { benchThreadMs?: ThreadClock }).benchThreadMs;
  const perFrame = Math.round((updatesPerS * frameMs) / 1000);
  let next = rng(7); // the updates' sequence, restarted when measuring
  /**
   * One frame: its updates, then Cesium's render; then the GPU drained and the frame padded to
   * frameMs. With a thread clock, its cost (two reads back to back) is measured in the same frame
   * and subtracted from the CPU time of the span.
   */
  const step = async (paced: boolean) => {
    const t0 = performance.now();
    let cpu = Number.NaN;
    const k0 = clock ? await clock() : 0;
    const k1 = clock ? await clock() : 0;
    const u0 = performance.now();
    for (let k = 0; k < perFrame; k++) apply(Math.floor(next() * n), PALETTE[Math.floor(next() * PALETTE.length)]!);
    const r0 = performance.now();
    viewer.render();
    const r1 = performance.now();
    if (clock) cpu = (await clock()) - k1 - (k1 - k0);
    await frame();
    await gpuIdle(gl);
    const rest = frameMs - (performance.now() - t0);
    if (paced && rest > 0) await new Promise((r) => setTimeout(r, rest));
    return { update: r0 - u0, render: r1 - r0, cpu };
  };
  // Steady state: the same loop (unpaced) runs until the globe's tiles of the view are loaded and
  // shaders are compiled (a few frames after), so both modes are measured drawing the same settled
  // scene, not the globe's start-up (time to first frame is the figure for that).
  const warmUntil = performance.now() + WARM_UP_MAX_MS;
  for (let settled = 0; settled < WARM_UP_FRAMES && performance.now() < warmUntil; ) {
    await step(false);
    settled = viewer.scene.globe.tilesLoaded ? settled + 1 : 0;
  }
  const mainMs: number[] = [];
  const renderMs: number[] = [];
  const updateMs: number[] = [];
  const cpuMs: number[] = [];
  next = rng(7);
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const f = await step(true);
    updateMs.push(f.update);
    renderMs.push(f.render);
    mainMs.push(f.update + f.render);
    if (!Number.isNaN(f.cpu)) cpuMs.push(f.cpu);
  }
  const elapsed = performance.now() - start;
  viewer.destroy();
  return {
    mode,
    stations: n,
    updates_per_s: updatesPerS,
    frames: mainMs.length,
    first_frame_ms: Math.round(firstFrame),
    main_thread_ms: Number(median(mainMs).toFixed(2)),
    main_thread_p95_ms: Number(p95(mainMs).toFixed(2)),
    update_ms: Number(median(updateMs).toFixed(2)),
    render_ms: Number(median(renderMs).toFixed(2)),
    main_thread_cpu_ms: cpuMs.length > 0 ? Number(median(cpuMs).toFixed(2)) : null,
    fps: Number(((mainMs.length * 1000) / elapsed).toFixed(2)),
    updates_applied: mainMs.length * perFrame,
  };
}

(window as unknown as { runBench: typeof run }).runBench = run;
