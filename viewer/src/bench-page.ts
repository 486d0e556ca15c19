import './cesium-base';
import { Cartesian3, Color, NearFarScalar, type Entity } from 'cesium';
import type { StationKind } from '@basin/schemas';
import { createGlobe, flyToPreset } from './globe';
import { PRESETS } from './presets';
import { KIND_SHAPE, shapeImage, StationLayer } from './station-layer';

/**
 * Benchmark page (bench/viewer.ts drives it in Chromium): N stations over the basin with U colour
 * updates per second, drawn either as the viewer's primitive layer or naively as one Entity each.
 * Main-thread time per frame is measured around Cesium's render call, which for Entities includes
 * the DataSourceDisplay update that turns entity changes into primitives.
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
  fps: number;
  updates_applied: number;
}

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

async function run(mode: 'primitive' | 'entity', n: number, updatesPerS: number, seconds: number): Promise<BenchResult> {
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
    apply = (i, c) => {
      entities[i]!.billboard!.color = colors[PALETTE.indexOf(c)] as never;
    };
  }
  viewer.render();
  const firstFrame = performance.now() - t0;
  await frame();
  const gl = viewer.canvas.getContext('webgl2')!;
  let last = performance.now();
  let debt = 0;
  /** One frame of the loop: the updates due since the last frame, then Cesium's render. */
  const step = async (): Promise<{ update: number; render: number; applied: number }> => {
    const now = performance.now();
    debt += ((now - last) / 1000) * updatesPerS;
    last = now;
    let applied = 0;
    const u0 = performance.now();
    for (; debt >= 1; debt--) {
      apply(Math.floor(rand() * n), PALETTE[Math.floor(rand() * PALETTE.length)]!);
      applied++;
    }
    const r0 = performance.now();
    viewer.render();
    const r1 = performance.now();
    await frame();
    await gpuIdle(gl);
    return { update: r0 - u0, render: r1 - r0, applied };
  };
  // Steady state: the same loop runs until the globe's tiles of the view are loaded and shaders
  // are compiled (a few frames after), so both modes are measured drawing the same settled scene,
  // not the globe's start-up (time to first frame is the figure for that).
  const warmUntil = performance.now() + WARM_UP_MAX_MS;
  for (let settled = 0; settled < WARM_UP_FRAMES && performance.now() < warmUntil; ) {
    await step();
    settled = viewer.scene.globe.tilesLoaded ? settled + 1 : 0;
  }
  const renderMs: number[] = [];
  const updateMs: number[] = [];
  let applied = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const f = await step();
    updateMs.push(f.update);
    renderMs.push(f.render);
    applied += f.applied;
  }
  const elapsed = performance.now() - start;
  viewer.destroy();
  return {
    mode,
    stations: n,
    updates_per_s: updatesPerS,
    frames: renderMs.length,
    first_frame_ms: Math.round(firstFrame),
    main_thread_ms: Number(median(renderMs).toFixed(2)),
    main_thread_p95_ms: Number(p95(renderMs).toFixed(2)),
    update_ms: Number(median(updateMs).toFixed(3)),
    fps: Number(((renderMs.length * 1000) / elapsed).toFixed(2)),
    updates_applied: applied,
  };
}

(window as unknown as { runBench: typeof run }).runBench = run;
