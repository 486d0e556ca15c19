/** Small spherical-geometry helpers for river lines (WGS 84 lon/lat, kilometres). */

export type LonLat = readonly [lon: number, lat: number];

const R_KM = 6371.0088;
const RAD = Math.PI / 180;

/** Great-circle distance in km. */
export function haversineKm(a: LonLat, b: LonLat): number {
  const dLat = (b[1] - a[1]) * RAD;
  const dLon = (b[0] - a[0]) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * RAD) * Math.cos(b[1] * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * R_KM * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** Cumulative distance (km) at each vertex of a polyline. */
export function cumulativeKm(line: readonly LonLat[]): number[] {
  const out = [0];
  for (let i = 1; i < line.length; i++) out.push(out[i - 1]! + haversineKm(line[i - 1]!, line[i]!));
  return out;
}

export function lineLengthKm(line: readonly LonLat[]): number {
  const c = cumulativeKm(line);
  return c[c.length - 1] ?? 0;
}

export interface Snap {
  /** Nearest point on the line. */
  point: [lon: number, lat: number];
  /** Distance along the line from its first vertex to the nearest point, km. */
  alongKm: number;
  /** Distance from the input point to the line, km. */
  offsetKm: number;
}

/** Nearest point of a polyline (local equirectangular projection per segment; fine at river scale). */
export function snapToLine(p: LonLat, line: readonly LonLat[]): Snap {
  if (line.length === 0) throw new RangeError('empty line');
  const cum = cumulativeKm(line);
  let best: Snap = { point: [line[0]![0], line[0]![1]], alongKm: 0, offsetKm: haversineKm(p, line[0]!) };
  const kx = Math.cos(p[1] * RAD);
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1]!;
    const b = line[i]!;
    const dx = (b[0] - a[0]) * kx;
    const dy = b[1] - a[1];
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, (((p[0] - a[0]) * kx) * dx + (p[1] - a[1]) * dy) / len2));
    const q: [number, number] = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    const d = haversineKm(p, q);
    if (d < best.offsetKm) best = { point: q, alongKm: cum[i - 1]! + (cum[i]! - cum[i - 1]!) * t, offsetKm: d };
  }
  return best;
}

/** The point at `km` along a polyline (clamped to its ends). */
export function pointAlong(line: readonly LonLat[], km: number, cum: readonly number[] = cumulativeKm(line)): [lon: number, lat: number] {
  if (line.length === 0) throw new RangeError('empty line');
  if (km <= 0) return [line[0]![0], line[0]![1]];
  const total = cum[cum.length - 1]!;
  if (km >= total) return [line[line.length - 1]![0], line[line.length - 1]![1]];
  let lo = 0;
  let hi = cum.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! <= km) lo = mid;
    else hi = mid;
  }
  const seg = cum[hi]! - cum[lo]!;
  const t = seg === 0 ? 0 : (km - cum[lo]!) / seg;
  const a = line[lo]!;
  const b = line[hi]!;
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
}
