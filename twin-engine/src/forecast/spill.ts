import { HAN_MOUTH, type BasinModel, type RiverName, type RiverPoint } from '../model/network.js';
import { RIVER_SECTIONS } from './river-section.js';
import { bankFactor, lateralSpread, type Bank } from './transverse.js';

/**
 * Pollutant travel from a spill (pure): 1-D advection–dispersion of a release of `massKg` over
 * `durationH`, with first-order decay, evaluated at each downstream target:
 *
 *   c̄(t) = M·e^(−k·τ) / (Q·σt·√2π) · exp(−(t − tpeak)² / 2σt²),  τ = x/u,  σt² = T²/12 + 2·D·x/u³
 *
 * (the cross-section mean at discharge Q; the temporal variance is the release's plus the
 * dispersion's), and, for a bank-side outfall, the transverse profile across the river (method of
 * images with both banks reflecting, Fischer et al. 1979 ch. 5; transverse.ts): c(y)/c̄ = 2W·Σ φ(y − 2nW; σy),
 * σy² = σy0² + 2·Ey·x/u. Parameters (schemas/data/domain/domain-facts.json
 * flood_and_pollutant_travel.flow_velocity): velocity 1.2 m/s (ESTIMATE, 1.0–1.5 m/s); decay
 * 0.2/day (CUMCM 2005 assumption for CODMn and NH3-N, low confidence). Not in the facts, ESTIMATES
 * to calibrate against observed plumes: longitudinal dispersion 1000 m²/s, transverse mixing
 * 0.5 m²/s (0.6 × depth 10 m × shear velocity 0.08 m/s), widths, station offsets and initial
 * lateral spread from river-section.ts (Yangtze 1500 m, Han 400 m; 50 m; 20 m).
 */
export type { Bank } from './transverse.js';

export interface SpillParams {
  at: RiverPoint;
  /** Start of the release, epoch ms. */
  releaseAt: number;
  durationH: number;
  massKg: number;
  velocityMs: number;
  dispersionM2s: number;
  transverseM2s: number;
  decayPerDay: number;
  /** Bank of the outfall (facing downstream); null: mixed across the river at once. */
  bank: Bank | null;
  /** Concentration of concern, mg/L (e.g. the GB 3838 class III limit); null: none. */
  thresholdMgL: number | null;
}

export const SPILL_DEFAULTS = { velocityMs: 1.2, dispersionM2s: 1000, transverseM2s: 0.5, decayPerDay: 0.2, durationH: 1 } as const;
export const RIVER_WIDTH_M: Readonly<Record<RiverName, number>> = { Yangtze: RIVER_SECTIONS.Yangtze.widthM, Han: RIVER_SECTIONS.Han.widthM };
const SQRT_2PI = Math.sqrt(2 * Math.PI);

export interface SpillTarget {
  station: string;
  point: RiverPoint;
  bank: Bank | null;
  /** Discharge at the target, m³/s (dilution of the cross-section mean). */
  dischargeM3s: number;
}

export interface SpillArrival {
  station: string;
  distanceKm: number;
  /** Epoch ms the concentration reaches the threshold, or, without one (or below it), the leading edge (peak − 2σ). */
  arrivalAt: number;
  peakAt: number;
  /** Peak at the target's side of the river, mg/L. */
  peakMgL: number;
  /** Peak of the cross-section mean, mg/L. */
  meanPeakMgL: number;
  /** Hours above the threshold, or 4σ (the plume's passage) when it is not exceeded or there is none. */
  durationH: number;
  exceedsThreshold: boolean;
  /** Temporal standard deviation of the plume passing the target, h. */
  sigmaH: number;
}

/** Where the plume hugs a bank at the target: its outfall's bank, or the Yangtze's left bank below the Han mouth. */
function plumeSide(p: SpillParams, t: SpillTarget): { bank: Bank | null; lateralKm: number } {
  if (p.at.river === 'Han' && t.point.river === 'Yangtze') return { bank: 'left', lateralKm: t.point.km - HAN_MOUTH.yangtze.km };
  return { bank: p.bank, lateralKm: t.point.km - p.at.km };
}

/** The cross-section mean passing `distanceKm` downstream at discharge `dischargeM3s`: a Gaussian in time. */
export interface MeanPlume {
  peakAt: number;
  /** Temporal standard deviation, s. */
  sigmaS: number;
  /** Peak of the cross-section mean, mg/L. */
  meanPeak: number;
}

/** The release's cross-section mean plume at `distanceKm` (> 0) downstream. */
export function meanPlume(p: SpillParams, distanceKm: number, dischargeM3s: number): MeanPlume {
  const x = distanceKm * 1000;
  const u = p.velocityMs;
  const travelS = x / u;
  const T = p.durationH * 3600;
  const sigmaS = Math.sqrt((T * T) / 12 + (2 * p.dispersionM2s * x) / u ** 3);
  const meanPeak = ((p.massKg * 1000) / (Math.max(1, dischargeM3s) * sigmaS * SQRT_2PI)) * Math.exp((-p.decayPerDay * travelS) / 86_400);
  return { peakAt: p.releaseAt + (T / 2 + travelS) * 1000, sigmaS, meanPeak };
}

/** Its concentration at time `t`, mg/L. */
export const meanPlumeAt = (m: MeanPlume, t: number): number => m.meanPeak * Math.exp(-0.5 * ((t - m.peakAt) / (m.sigmaS * 1000)) ** 2);

/** The plume at one target downstream (null when it is not downstream of the spill). */
export function arrivalAt(model: BasinModel, p: SpillParams, t: SpillTarget): SpillArrival | null {
  const path = model.path(p.at, t.point);
  if (!path || path.km <= 0) return null;
  const { peakAt, sigmaS, meanPeak } = meanPlume(p, path.km, t.dischargeM3s);
  const side = plumeSide(p, t);
  let factor = 1;
  if (side.bank && t.bank) {
    const section = RIVER_SECTIONS[t.point.river];
    factor = bankFactor(side.bank, t.bank, lateralSpread(section.sigmaY0M, p.transverseM2s, side.lateralKm * 1000, p.velocityMs), section);
  }
  const peak = meanPeak * factor;
  const exceeds = p.thresholdMgL !== null && peak >= p.thresholdMgL;
  const half = exceeds ? sigmaS * Math.sqrt(2 * Math.log(peak / p.thresholdMgL!)) : 2 * sigmaS;
  return { station: t.station, distanceKm: path.km, arrivalAt: Math.round(peakAt - half * 1000), peakAt: Math.round(peakAt), peakMgL: peak, meanPeakMgL: meanPeak, durationH: (2 * half) / 3600, exceedsThreshold: exceeds, sigmaH: sigmaS / 3600 };
}

/** The plume at every target downstream of the spill, earliest arrival first. */
export function predictSpill(model: BasinModel, p: SpillParams, targets: readonly SpillTarget[]): SpillArrival[] {
  return targets.flatMap((t) => arrivalAt(model, p, t) ?? []).sort((a, b) => a.arrivalAt - b.arrivalAt || a.station.localeCompare(b.station));
}


/** When the plume at a target first reaches `mgL` (epoch ms), or null when its peak stays below. */
export function timeReaching(a: SpillArrival, mgL: number): number | null {
  if (!(a.peakMgL >= mgL) || mgL <= 0) return null;
  return Math.round(a.peakAt - a.sigmaH * Math.sqrt(2 * Math.log(a.peakMgL / mgL)) * 3_600_000);
}
