import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every reference-data file that code or documentation names must be tracked in git, so a fresh
 * clone has it (the `data/` ignore rule once hid schemas/data from the repository).
 */
const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const tracked = new Set(execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean));

/** `schemas/data/<path>` or a path inside the data directories (`data/domain/...`, `yangtze-basin/...`). */
const REF = /(?:schemas\/)?data\/((?:yangtze-basin|domain)\/[\w.-]+\.(?:geojson|json|md|csv))|(?:^|[\s`'"(/])((?:yangtze-basin|domain)\/[\w.-]+\.(?:geojson|json|md|csv))/g;

function references(): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  for (const file of tracked) {
    if (!/\.(ts|mjs|js|md|json)$/.test(file) || file.startsWith('schemas/data/') || file.endsWith('package-lock.json')) continue;
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(REF)) out.push({ file, target: `schemas/data/${m[1] ?? m[2]}` });
  }
  return out;
}

describe('reference data in git', () => {
  const refs = references();

  it('finds the references (rivers, domain facts) in code and READMEs', () => {
    const targets = new Set(refs.map((r) => r.target));
    expect(targets).toContain('schemas/data/yangtze-basin/rivers.geojson');
    expect(targets).toContain('schemas/data/domain/domain-facts.json');
    expect(refs.some((r) => r.file.endsWith('.md'))).toBe(true);
  });

  it('tracks every referenced data file', () => {
    const missing = refs.filter((r) => !tracked.has(r.target)).map((r) => `${r.file} -> ${r.target}`);
    expect(missing).toEqual([]);
  });

  it('tracks the data directory with its source notes', () => {
    for (const f of ['schemas/data/SOURCE.md', 'schemas/data/domain/domain-facts.json', 'schemas/data/domain/domain-facts.md']) expect(tracked.has(f), f).toBe(true);
  });
});

describe('Hubei boundaries', () => {
  type Fc = { features: { properties: { code: string; name: string; prefecture?: string }; geometry: { type: string; coordinates: unknown } }[] };
  const read = (f: string) => JSON.parse(readFileSync(path.join(ROOT, 'schemas/data/yangtze-basin', f), 'utf8')) as Fc;
  const prefectures = read('hubei-prefectures.geojson');
  const counties = read('hubei-counties.geojson');
  const positions = (fc: Fc) => fc.features.map((f) => f.geometry.coordinates).flat(4) as number[];
  type Pos = [number, number];
  const ringsOf = (g: Fc['features'][number]['geometry']): Pos[][] => (g.type === 'Polygon' ? (g.coordinates as Pos[][]) : (g.coordinates as Pos[][][]).flat());

  it('are tracked in git with their source noted', () => {
    for (const f of ['hubei-prefectures.geojson', 'hubei-counties.geojson']) {
      expect(tracked.has(`schemas/data/yangtze-basin/${f}`), f).toBe(true);
      expect(readFileSync(path.join(ROOT, 'schemas/data/SOURCE.md'), 'utf8')).toContain(`yangtze-basin/${f}`);
    }
  });

  it('hold the 17 prefecture-level divisions and their counties, with GB/T 2260 codes, inside Hubei', () => {
    expect(prefectures.features).toHaveLength(17);
    const names = new Set(prefectures.features.map((f) => f.properties.name));
    for (const n of ['武汉市', '宜昌市', '荆州市', '十堰市', '恩施土家族苗族自治州', '神农架林区']) expect(names).toContain(n);
    expect(counties.features.length).toBeGreaterThanOrEqual(100);
    for (const f of [...prefectures.features, ...counties.features]) {
      expect(f.properties.code).toMatch(/^42\d{4}$/);
      expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
    }
    for (const f of counties.features) expect(names).toContain(f.properties.prefecture);
    const box = [Infinity, Infinity, -Infinity, -Infinity];
    const xy = [...positions(prefectures), ...positions(counties)];
    for (let i = 0; i < xy.length; i += 2) {
      box[0] = Math.min(box[0]!, xy[i]!);
      box[1] = Math.min(box[1]!, xy[i + 1]!);
      box[2] = Math.max(box[2]!, xy[i]!);
      box[3] = Math.max(box[3]!, xy[i + 1]!);
    }
    // Hubei spans about 108.3–116.2 E, 29.0–33.3 N
    expect(box[0]).toBeGreaterThan(108);
    expect(box[1]).toBeGreaterThan(28.9);
    expect(box[2]).toBeLessThan(116.5);
    expect(box[3]).toBeLessThan(33.5);
  });

  it('keep all 103 counties, each with its code, name and prefecture and a closed outline, after simplification', () => {
    // the viewer reads the geometry and these properties (viewer/src/basin-geo.ts); the source has 103
    expect(counties.features).toHaveLength(103);
    expect(new Set(counties.features.map((f) => f.properties.code)).size).toBe(103);
    for (const f of counties.features) {
      expect(Object.keys(f.properties).sort()).toEqual(['code', 'name', 'prefecture']);
      expect(f.properties.name).toMatch(/^\p{Script=Han}+$/u);
      const rings = ringsOf(f.geometry);
      expect(rings.length, f.properties.name).toBeGreaterThan(0);
      for (const r of rings) {
        expect(r.length, f.properties.name).toBeGreaterThanOrEqual(4);
        expect(r.at(-1), f.properties.name).toEqual(r[0]);
      }
    }
    // 177 rings once the source's two rings of zero area are dropped
    expect(counties.features.reduce((n, f) => n + ringsOf(f.geometry).length, 0)).toBeGreaterThanOrEqual(177);
  });

  it('draw each border between two counties once from the same vertices in both (simplified as a topology)', () => {
    // An edge (two consecutive vertices) that no other outline also has lies on Hubei's own outline
    // (~4,100 km at this resolution, the unsimplified source 4,103 km) or a sliver of the source.
    // Simplifying each county on its own would leave nearly all of the ~11,600 km of borders unshared.
    const km = (a: Pos, b: Pos) => Math.hypot((a[0] - b[0]) * 111.32 * Math.cos((a[1] * Math.PI) / 180), (a[1] - b[1]) * 110.57);
    const edges = new Map<string, { n: number; km: number }>();
    for (const f of counties.features)
      for (const r of ringsOf(f.geometry))
        for (let i = 1; i < r.length; i++) {
          const [a, b] = [r[i - 1]!, r[i]!];
          if (a[0] === b[0] && a[1] === b[1]) continue;
          const k = a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]) ? `${a}|${b}` : `${b}|${a}`;
          edges.set(k, { n: (edges.get(k)?.n ?? 0) + 1, km: km(a, b) });
        }
    const unshared = [...edges.values()].filter((e) => e.n === 1).reduce((s, e) => s + e.km, 0);
    const shared = [...edges.values()].filter((e) => e.n >= 2).reduce((s, e) => s + e.km, 0);
    expect(unshared).toBeGreaterThan(3_800);
    expect(unshared).toBeLessThan(4_200);
    expect(shared).toBeGreaterThan(11_000);
  });

  it('stay within their size budget (the viewer bundles them whole)', () => {
    // simplified counties 1,227 kB (unsimplified 2,103 kB); prefectures as extracted, 320 kB
    const kb = (f: string) => statSync(path.join(ROOT, 'schemas/data/yangtze-basin', f)).size / 1000;
    expect(kb('hubei-counties.geojson')).toBeLessThan(1_300);
    expect(kb('hubei-prefectures.geojson')).toBeLessThan(340);
  });
});
