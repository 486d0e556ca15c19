import type { RiverName } from './hydro.js';
import type { Scenario } from './scenario.js';

/**
 * Pollutant plume of a spill (pure): advected at the flow velocity, spread along the river
 * (Gaussian in time, σ² growing with distance), decaying first-order, and mixing across the
 * river only gradually from the bank it enters on: the depth-averaged 2-D solution for a source
 * at a bank with both banks reflecting (method of images; Fischer et al. 1979, ch. 5):
 *
 *   c(y) = c̄ · 2W · Σₙ φ(y − 2nW; σy),   σy² = σ0² + 2 Ey x / u
 *
 * where c̄ is the cross-section mean (mass / (Q · σt · √2π) for a mass release), W the river width,
 * Ey the transverse mixing coefficient, x the distance and u the velocity. Near the outfall the
 * source bank sees many times the mean and the far bank almost nothing; full mixing across a
 * 1.5 km wide Yangtze takes of the order of 1,000 km (σy ≈ W/2), so intakes on the far bank of
 * the middle reach stay well below those on the spill's bank.
 */

export type Bank = 'left' | 'right';
type Spill = Scenario['spills'][number];

const HOUR = 3_600_000;

/** Channel widths, m (ESTIMATES: middle Yangtze 1-2 km, lower Han 0.3-0.5 km). */
export const RIVER_WIDTH_M: Record<RiverName, number> = { Yangtze: 1500, Han: 400 };
/** Intakes and monitoring stations sit this far from their bank, m. */
export const STATION_OFFSET_M = 50;
/** Initial lateral spread at the outfall, m. */
const SIGMA_Y0_M = 20;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

export interface Plume {
  /** Longitudinal factor in time: σ0/σ · exp(−z²/2) · decay (1 at the outfall at the release's peak). */
  longitudinal: number;
  /** Temporal standard deviation of the plume passing the point, s. */
  sigmaS: number;
  /** exp(−z²/2) · decay. */
  shape: number;
  /** Lateral standard deviation at the point, m (0 when mixed across at once). */
  sigmaY: number;
  /** Bank of the plume at the point (a Han plume enters the Yangtze on its left bank), or null. */
  bank: Bank | null;
}

/** The plume of spill `s` at `distKm` downstream, at time t (null when it is not there). */
export function plumeAt(s: Spill, distKm: number, enteredMain: boolean, t0: number, t: number): Plume | null {
  const u = s.velocityMs;
  const travelH = distKm / (u * 3.6);
  const sigma0 = s.durationH / 2;
  const sigmaH = Math.sqrt(sigma0 * sigma0 + 0.3 * distKm);
  const z = (t - (t0 + s.atH * HOUR) - travelH * HOUR) / (sigmaH * HOUR);
  if (z < -8 || z > 8) return null;
  const decay = Math.exp((-s.decayPerDay * travelH) / 24);
  // After the Han mouth the plume hugs the Yangtze's left bank (the Han joins from the north);
  // lateral mixing there starts again from the Han's mixed flow (distance below the mouth unknown
  // here: the whole route distance is used, which mixes it somewhat faster: conservative).
  const bank = enteredMain ? 'left' : (s.bank ?? null);
  const sigmaY = bank ? Math.sqrt(SIGMA_Y0_M * SIGMA_Y0_M + (2 * s.transverseMixingM2s * distKm * 1000) / u) : 0;
  const shape = Math.exp(-0.5 * z * z) * decay;
  return { longitudinal: (sigma0 / sigmaH) * shape, sigmaS: sigmaH * 3600, shape, sigmaY, bank };
}

/** Cross-section mean concentration (mg/L = g/m3) of `massT` tonnes passing at discharge q (m3/s). */
export function meanConcentration(massT: number, p: Plume, q: number): number {
  // ∫ Q c̄ dt = M · decay  ⇒  c̄(t) = M / (Q σt √2π) · exp(−z²/2) · decay
  return ((massT * 1e6) / (Math.max(1, q) * p.sigmaS * SQRT_2PI)) * p.shape;
}

/** Concentration at a station on `bank` relative to the cross-section mean. */
export function lateralFactor(p: Plume, bank: Bank, river: RiverName): number {
  if (!p.bank) return 1;
  const w = RIVER_WIDTH_M[river];
  return lateralProfile(bank === p.bank ? STATION_OFFSET_M : w - STATION_OFFSET_M, p.sigmaY, w);
}

/** c(y) / c̄ at `y` m from the source bank, width `w`, lateral spread `sigmaY` (images of both banks). */
export function lateralProfile(y: number, sigmaY: number, w: number): number {
  const images = Math.ceil((4 * sigmaY) / (2 * w)) + 1;
  let sum = 0;
  for (let n = -images; n <= images; n++) {
    const d = (y - 2 * n * w) / sigmaY;
    sum += Math.exp(-0.5 * d * d);
  }
  return (2 * w * sum) / (sigmaY * SQRT_2PI);
}
