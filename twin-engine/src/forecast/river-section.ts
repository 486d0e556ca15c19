import type { RiverName } from '../model/network.js';
import { mixingLengthBankSource, transverseMixingCoefficient, type Section } from './transverse.js';

/**
 * Channel geometry the transverse-mixing model (transverse.ts) reads, per river, at Wuhan. All are
 * ESTIMATES — the repository's facts (schemas/data/domain/domain-facts.json) give velocities but
 * no widths, depths or shear velocities — to calibrate against observed plumes:
 * - width: middle Yangtze 1–2 km (1,500 m), lower Han 0.3–0.5 km (400 m), as sensors-sim/src/spill.ts;
 * - depth 10 m and shear velocity 0.08 m/s (u* ≈ u/15 for a large sand-bed river) for both:
 *   Ey = 0.6 · 10 · 0.08 = 0.48 m²/s (Fischer et al. 1979 eq. 5.6), the simulator's 0.5 m²/s;
 * - mean velocity: Yangtze 1.2 m/s (domain-facts flood_and_pollutant_travel.flow_velocity,
 *   1.0–1.5), middle and lower Han 0.75 m/s (0.5–1.0, low confidence);
 * - stations (intakes, water-quality stations) 50 m from their bank; the outfall's initial lateral
 *   spread 20 m.
 * Mixing length of a bank-side source (0.4 · u · B² / Ey): Han 0.4 · 0.75 · 400² / 0.48 = 100 km,
 * Yangtze 0.4 · 1.2 · 1500² / 0.48 = 2,250 km.
 */
export interface RiverSection extends Section {
  depthM: number;
  shearVelocityMs: number;
  velocityMs: number;
  /** Ey, m²/s. */
  transverseM2s: number;
  /** Mixing length of a bank-side source, m. */
  mixingLengthM: number;
  /** Initial lateral spread of a bank-side source, m. */
  sigmaY0M: number;
}

function section(widthM: number, depthM: number, shearVelocityMs: number, velocityMs: number): RiverSection {
  const transverseM2s = transverseMixingCoefficient(depthM, shearVelocityMs);
  return { widthM, depthM, shearVelocityMs, velocityMs, transverseM2s, mixingLengthM: mixingLengthBankSource(velocityMs, widthM, transverseM2s), stationOffsetM: 50, sigmaY0M: 20 };
}

export const RIVER_SECTIONS: Readonly<Record<RiverName, RiverSection>> = {
  Yangtze: section(1500, 10, 0.08, 1.2),
  Han: section(400, 10, 0.08, 0.75),
};
