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

const frame = () => new Promise<number>((r) => requestAnimationFrame(r));
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
  const renderMs: number[] = [];
  const updateMs: number[] = [];
  let applied = 0;
  let last = performance.now();
  const start = last;
  let debt = 0;
  while (performance.now() - start < seconds * 1000) {
    const now = performance.now();
    debt += ((now - last) / 1000) * updatesPerS;
    last = now;
    const u0 = performance.now();
    for (; debt >= 1; debt--) {
      apply(Math.floor(rand() * n), PALETTE[Math.floor(rand() * PALETTE.length)]!);
      applied++;
    }
    const r0 = performance.now();
    viewer.render();
    const r1 = performance.now();
    updateMs.push(r0 - u0);
    renderMs.push(r1 - r0);
    await frame();
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
