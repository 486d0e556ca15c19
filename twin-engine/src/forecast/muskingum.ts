/**
 * Muskingum routing (pure). A reach of travel time K (h) and weighting x is split into n
 * sub-reaches so each satisfies the stability condition 2·K·x ≤ Δt ≤ 2·K·(1−x) (domain-facts
 * flood_and_pollutant_travel.muskingum.generic); then, per step,
 * O[t+1] = C0·I[t+1] + C1·I[t] + C2·O[t], with C0 + C1 + C2 = 1.
 */
export interface MuskingumParams {
  kH: number;
  x: number;
}

export function subReaches(p: MuskingumParams, dtH: number): { n: number; k: number } {
  if (p.kH <= 0) return { n: 0, k: 0 };
  const n = Math.max(1, Math.ceil((2 * p.kH * p.x) / dtH - 1e-9));
  return { n, k: p.kH / n };
}

export function coefficients(k: number, x: number, dtH: number): [number, number, number] {
  const d = 2 * k * (1 - x) + dtH;
  return [(dtH - 2 * k * x) / d, (dtH + 2 * k * x) / d, (2 * k * (1 - x) - dtH) / d];
}

/** Route an inflow series (one value per Δt) through a reach; the outflow starts at the first inflow (steady state). */
export function route(inflow: readonly number[], p: MuskingumParams, dtH = 1): number[] {
  const { n, k } = subReaches(p, dtH);
  if (n === 0 || inflow.length === 0) return inflow.slice();
  const [c0, c1, c2] = coefficients(k, p.x, dtH);
  let cur = Float64Array.from(inflow);
  for (let j = 0; j < n; j++) {
    const out = new Float64Array(cur.length);
    out[0] = cur[0]!;
    for (let t = 1; t < cur.length; t++) out[t] = c0 * cur[t]! + c1 * cur[t - 1]! + c2 * out[t - 1]!;
    cur = out;
  }
  return Array.from(cur);
}
