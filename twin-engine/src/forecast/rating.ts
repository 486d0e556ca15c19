/**
 * Stage–discharge rating h = z0 + a·√Q, fitted by least squares to a gauge's own recent
 * (stage, discharge) observations (the repository has no published ratings: domain-facts lists
 * them as not found). Null when the pairs do not determine a rising curve.
 */
export interface Rating {
  z0: number;
  a: number;
  n: number;
}

export function fitRating(pairs: readonly [h: number, q: number][]): Rating | null {
  const ok = pairs.filter(([h, q]) => Number.isFinite(h) && Number.isFinite(q) && q > 0);
  if (ok.length < 3) return null;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const [h, q] of ok) {
    const x = Math.sqrt(q);
    sx += x; sy += h; sxx += x * x; sxy += x * h;
  }
  const n = ok.length;
  const d = n * sxx - sx * sx;
  if (d <= 1e-9 * n * sxx) return null;
  const a = (n * sxy - sx * sy) / d;
  if (!(a > 0)) return null;
  return { z0: (sy - a * sx) / n, a, n };
}

export const stageOf = (r: Rating, q: number): number => r.z0 + r.a * Math.sqrt(Math.max(0, q));
