import { cumulativeKm, pointAlong, snapToLine, type LonLat } from '../geo.js';
import { HAN_LINE, YANGTZE_LINE, type RiverLine } from './river-lines.js';

export { HAN_LINE, YANGTZE_LINE, type RiverLine } from './river-lines.js';

/**
 * River axes of the catalogue. `km` is the catalogue's river kilometre (Yangtze: 0 at Yichang,
 * from the published Yichang–Wuhan channel length of 624 km; Han: 0 at Danjiangkou, ~652 km to
 * the mouth, domain-facts hydrology.distances). Natural Earth lines are generalised, so line
 * length and channel length differ; `anchors` tie catalogue km to distance along the line
 * (from gauge positions snapped to the line) and positions are interpolated between them.
 */
export interface RiverAxis {
  name: 'Yangtze' | 'Han';
  line: RiverLine;
  /** Catalogue km range covered by the line. */
  kmRange: [number, number];
  /** [catalogue km, km along the line], increasing. */
  anchors: [number, number][];
}

function anchorsFor(line: RiverLine, points: [km: number, lon: number, lat: number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [km, lon, lat] of points) {
    const s = snapToLine([lon, lat], line);
    const last = out[out.length - 1];
    if (!last || (km > last[0] && s.alongKm > last[1])) out.push([km, s.alongKm]);
  }
  return out;
}

// Anchor positions: dams from domain-facts hydrology.dams_reservoirs (surveyed); the others are the
// approximate gauge positions of domain-facts hydrology.stations_* (±0.05°).
const YANGTZE_ANCHORS: [number, number, number][] = [
  [-44, 111.0033, 30.8231], // Three Gorges dam
  [0, 111.29, 30.69], // Yichang
  [148, 112.26, 30.3], // Shashi
  [405, 113.2, 29.49], // Lianhuatang
  [624, 114.29, 30.58], // Hankou
  [770, 115.09, 30.22], // Huangshi
  [850, 115.55, 29.85], // Wuxue
];
const HAN_ANCHORS: [number, number, number][] = [
  [0, 111.4881, 32.5561], // Danjiangkou dam
  [115, 112.14, 32.04], // Xiangyang
  [270, 112.57, 31.17], // Huangzhuang
  [510, 113.45, 30.36], // Xiantao
  [652, 114.2896, 30.5664], // mouth (end of the line)
];

export const RIVER_AXES: Readonly<Record<'Yangtze' | 'Han', RiverAxis>> = {
  Yangtze: { name: 'Yangtze', line: YANGTZE_LINE, kmRange: [-44, 880], anchors: anchorsFor(YANGTZE_LINE, YANGTZE_ANCHORS) },
  Han: { name: 'Han', line: HAN_LINE, kmRange: [0, 652], anchors: anchorsFor(HAN_LINE, HAN_ANCHORS) },
};

function interp(pairs: readonly [number, number][], x: number, from: 0 | 1): number {
  const to = from === 0 ? 1 : 0;
  const first = pairs[0]!;
  const last = pairs[pairs.length - 1]!;
  if (pairs.length === 1) return first[to] + (x - first[from]);
  let a = first;
  let b = pairs[1]!;
  if (x > b[from]) {
    for (let i = 1; i < pairs.length; i++) {
      a = pairs[i - 1]!;
      b = pairs[i]!;
      if (x <= b[from]) break;
    }
  }
  if (x > last[from]) {
    a = pairs[pairs.length - 2]!;
    b = last;
  }
  const t = (x - a[from]) / (b[from] - a[from]);
  return a[to] + t * (b[to] - a[to]);
}

const CUM = new Map<RiverLine, number[]>();

/** Position on the river line at catalogue river-km `km`. */
export function riverPoint(river: 'Yangtze' | 'Han', km: number): [lon: number, lat: number] {
  const axis = RIVER_AXES[river];
  let cum = CUM.get(axis.line);
  if (!cum) {
    cum = cumulativeKm(axis.line);
    CUM.set(axis.line, cum);
  }
  return pointAlong(axis.line, interp(axis.anchors, km, 0), cum);
}

/** Catalogue river-km of the point of the river line nearest to `p`, and its distance to the line. */
export function riverKmOf(river: 'Yangtze' | 'Han', p: LonLat): { km: number; offsetKm: number; point: [number, number] } {
  const axis = RIVER_AXES[river];
  const s = snapToLine(p, axis.line);
  return { km: interp(axis.anchors, s.alongKm, 1), offsetKm: s.offsetKm, point: s.point };
}

export function isRiverWithAxis(river: string | null): river is 'Yangtze' | 'Han' {
  return river === 'Yangtze' || river === 'Han';
}
