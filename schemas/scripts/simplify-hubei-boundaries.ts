/**
 * Writes the tracked schemas/data/yangtze-basin/hubei-counties.geojson and hubei-prefectures.geojson
 * from the unsimplified files that extract-hubei-boundaries.ts wrote to <raw dir> (a build step, run
 * once when the source changes; the viewer bundles the result as it is):
 *
 *   npx tsx schemas/scripts/simplify-hubei-boundaries.ts <raw dir>
 *
 * Counties: simplified with mapshaper (run through npx at a pinned version, MPL-2.0; not a
 * devDependency: it brings ~200 packages and ~150 MB, a native SQLite among them, into every
 * install for a step run once). mapshaper builds the topology first, so a border between two
 * counties is one arc simplified once and stays shared (no gaps or slivers open between
 * neighbours); `keep-shapes` keeps every county from vanishing (at 30 m every ring with an area
 * stays anyway, checked below); it repairs crossings that simplifying causes by putting vertices
 * back (the 17 it reports as not repaired are in the source: it reports them at interval=1 too).
 *
 *   mapshaper -i hubei-counties.geojson -simplify dp interval=30 keep-shapes -o precision=0.0001
 *
 * Tolerance, 30 m (Douglas–Peucker: no removed vertex lies farther than this from the simplified
 * line): Cesium's camera spans 60° across the wider side of the canvas, so a pixel at the centre of a
 * W px wide canvas covers 2·tan(30°)·d / W of ground at distance d: 0.60 m per km on 1920×1080, 0.30
 * on 3840×2160. The wall is watched from about 50 km out (the closest presets, Wuhan and Honghu,
 * 140 km up at −50°, are 151 km away at the bottom edge of a 16:9 screen and 183 km at its centre)
 * up to COUNTY_MAX_DISTANCE (1,400 km), beyond which counties are not drawn. 30 m is 1 px at 50 km
 * on 1920×1080 (2 px on 3840×2160: the same width on a wall of the same size), 0.3 px (4K: 0.7 px)
 * from the closest presets, 0.04 px at 1,400 km. It is also below the source's own rounding: ECharts
 * stores the outlines on a 1/1024° grid (94 m × 108 m at 30° N), so every vertex is already up to
 * 47–54 m off. Coordinates keep the 1e-4° rounding of the
 * extraction (the kept vertices are unchanged).
 *
 * Prefectures: copied as they are. Their source is already generalised (median segment 550 m
 * against the counties' ~190 m): the same 30 m simplification takes 16,939 vertices to 15,965 and
 * 320 kB to 302 kB (−6 %), not worth a second derived file.
 *
 * The script checks what it wrote: the same counties with the same properties in the same order,
 * every county with an outline, every ring with an area kept, and the measured largest distance of an original vertex from its
 * county's simplified outline (must stay within the tolerance plus the 1e-4° rounding).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const MAPSHAPER = 'mapshaper@0.7.70';
const TOLERANCE_M = 30;
/** Half the diagonal of a 1e-4° cell at 30° N: what rounding to 1e-4° may add, metres. */
const ROUNDING_M = 7.5;

type Pos = [number, number];
interface Fc {
  features: { properties: Record<string, unknown>; geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: Pos[][] | Pos[][][] } | null }[];
}

const rings = (g: Fc['features'][number]['geometry']): Pos[][] => (!g ? [] : g.type === 'Polygon' ? (g.coordinates as Pos[][]) : (g.coordinates as Pos[][][]).flat());
const vertices = (fc: Fc) => fc.features.reduce((n, f) => n + rings(f.geometry).reduce((m, r) => m + r.length, 0), 0);

/** Shoelace area in square degrees: 0 for a ring that only runs back and forth. */
function area(r: Pos[]): number {
  let a = 0;
  for (let i = 1; i < r.length; i++) a += r[i - 1]![0] * r[i]![1] - r[i]![0] * r[i - 1]![1];
  return Math.abs(a) / 2;
}

/** Distance (m) of p from segment a–b, in a local equirectangular frame (fine at 50 m scale). */
function segmentDistance(p: Pos, a: Pos, b: Pos): number {
  const kx = 111_320 * Math.cos((p[1] * Math.PI) / 180);
  const ky = 110_574;
  const [ax, ay, bx, by] = [(a[0] - p[0]) * kx, (a[1] - p[1]) * ky, (b[0] - p[0]) * kx, (b[1] - p[1]) * ky];
  const dx = bx - ax;
  const dy = by - ay;
  const t = dx === 0 && dy === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / (dx * dx + dy * dy)));
  return Math.hypot(ax + t * dx, ay + t * dy);
}

const same = (a: Pos | undefined, b: Pos | undefined) => !!a && !!b && a[0] === b[0] && a[1] === b[1];
/** b is the tip of a spike: the line a → b → c turns straight back on itself. */
function reverses(a: Pos | undefined, b: Pos | undefined, c: Pos | undefined): boolean {
  if (!a || !b || !c) return false;
  const [ux, uy, vx, vy] = [b[0] - a[0], b[1] - a[1], c[0] - b[0], c[1] - b[1]];
  return Math.abs(ux * vy - uy * vx) < 1e-12 && ux * vx + uy * vy < 0;
}

/**
 * A ring, open, without repeated vertices and without spikes (zero-width spurs of one or two grid
 * cells that run out and straight back, which the source has at a few hundred places and mapshaper
 * drops on reading: they enclose nothing).
 */
function withoutSpikes(ring: Pos[]): Pos[] {
  const s: Pos[] = [];
  for (const p of ring) {
    while (reverses(s.at(-2), s.at(-1), p)) s.pop();
    if (!same(p, s.at(-1))) s.push(p);
  }
  for (;;) {
    if (s.length > 1 && same(s[0], s.at(-1))) s.pop();
    else if (s.length > 2 && reverses(s.at(-1), s[0], s[1])) s.shift();
    else if (s.length > 2 && reverses(s.at(-2), s.at(-1), s[0])) s.pop();
    else return s;
  }
}

/** Largest distance (m) from a vertex of `before` (rings with an area, spikes aside) to the nearest segment of `after`. */
function deviation(before: Pos[][], after: Pos[][]): number {
  const CELL = 0.01; // ° (~1 km): a segment is filed under every cell its box touches
  const grid = new Map<string, [Pos, Pos][]>();
  for (const r of after)
    for (let i = 1; i < r.length; i++) {
      const [a, b] = [r[i - 1]!, r[i]!];
      for (let x = Math.floor(Math.min(a[0], b[0]) / CELL); x <= Math.floor(Math.max(a[0], b[0]) / CELL); x++)
        for (let y = Math.floor(Math.min(a[1], b[1]) / CELL); y <= Math.floor(Math.max(a[1], b[1]) / CELL); y++) {
          const k = `${x},${y}`;
          grid.set(k, grid.get(k) ?? []).get(k)!.push([a, b]);
        }
    }
  let worst = 0;
  for (const p of before.filter((r) => area(r) > 0).flatMap(withoutSpikes)) {
    let best = Infinity; // Infinity when nothing lies within ~1 km: fails the check
    for (let dx = -1; dx <= 1; dx++)
      for (let dy = -1; dy <= 1; dy++)
        for (const [a, b] of grid.get(`${Math.floor(p[0] / CELL) + dx},${Math.floor(p[1] / CELL) + dy}`) ?? []) best = Math.min(best, segmentDistance(p, a, b));
    worst = Math.max(worst, best);
  }
  return worst;
}

const rawDir = process.argv[2];
if (!rawDir) throw new Error('usage: simplify-hubei-boundaries.ts <raw dir (extract-hubei-boundaries.ts output)>');
const out = path.resolve(import.meta.dirname, '../data/yangtze-basin');
const [rawFile, outFile] = [path.join(path.resolve(rawDir), 'hubei-counties.geojson'), path.join(out, 'hubei-counties.geojson')];

copyFileSync(path.join(path.resolve(rawDir), 'hubei-prefectures.geojson'), path.join(out, 'hubei-prefectures.geojson'));
execFileSync('npx', ['--yes', MAPSHAPER, '-i', rawFile, '-simplify', 'dp', `interval=${TOLERANCE_M}`, 'keep-shapes', '-o', 'precision=0.0001', 'format=geojson', outFile], { stdio: 'inherit' });

const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Fc;
const [before, after] = [read(rawFile), read(outFile)];
if (after.features.length !== before.features.length) throw new Error(`${after.features.length} counties written, ${before.features.length} read`);
let worst = 0;
before.features.forEach((f, i) => {
  const g = after.features[i]!;
  const name = String(f.properties.name);
  if (JSON.stringify(g.properties) !== JSON.stringify(f.properties)) throw new Error(`county ${i} (${name}): properties changed`);
  const kept = rings(g.geometry).length;
  if (kept < rings(f.geometry).filter((r) => area(r) > 0).length) throw new Error(`${name}: ${kept} rings left of ${rings(f.geometry).length}`);
  worst = Math.max(worst, deviation(rings(f.geometry), rings(g.geometry)));
});
if (worst > TOLERANCE_M + ROUNDING_M) throw new Error(`largest deviation ${worst.toFixed(1)} m exceeds ${TOLERANCE_M} m + rounding`);
const kb = (f: string) => Math.round(statSync(f).size / 1000);
const ringCount = (fc: Fc) => fc.features.reduce((n, f) => n + rings(f.geometry).length, 0);
process.stdout.write(
  `counties: ${before.features.length} features, ${ringCount(before)} → ${ringCount(after)} rings, ${vertices(before)} → ${vertices(after)} vertices, ` +
    `${kb(rawFile)} → ${kb(outFile)} kB, largest deviation ${worst.toFixed(1)} m\n`,
);
