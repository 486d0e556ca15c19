import type { ForecastCrossing } from '@basin/schemas';
import type { BasinModel, RiverName, RiverPoint } from '../model/network.js';
import { CLASSES, isGb3838Item, limitsOf } from '../standards/gb3838.js';
import { meanPlume, meanPlumeAt, SPILL_DEFAULTS, type MeanPlume, type SpillParams } from './spill.js';
import { RIVER_SECTIONS } from './river-section.js';
import { bankFactor, lateralSpread, type Bank } from './transverse.js';

/**
 * 预报 from an observed exceedance (pure): a water-quality station upstream reads a metric above its
 * GB 3838 class III limit, and the plume that has passed it — and the part still to come — is
 * carried to every intake and station downstream.
 *
 * The station's readings are the upstream boundary: each interval between two readings releases
 * the load that passed (excess over the station's baseline × discharge × interval) at the station,
 * and the latest excess is assumed to continue for `persistH` more hours (the release may not be
 * over; a later run sees whether it was). Each release travels by 1-D advection–dispersion with
 * first-order decay (spill.ts), and the releases add up (the model is linear). The prediction at a
 * target is its own baseline plus the plume.
 *
 * Across the river (transverse.ts, geometry in river-section.ts): a station on a bank reads the
 * plume on its side, not the cross-section mean. The plume is taken to hug the station's bank,
 * having entered there `sourceKm` above it (the station cannot tell where the outfall is: an
 * ASSUMPTION, see EXCEEDANCE_DEFAULTS), so its reading is the near-bank concentration
 * c̄ · F(σy at sourceKm) of the lateral profile F; the cross-section mean load is the reading ÷ F.
 * Downstream on the same river the plume keeps spreading (σy at sourceKm + distance): a target on
 * the station's bank gets the near-bank factor, one on the other bank the far-bank factor (small
 * until the plume has mixed across, ~one mixing length 0.4·u·B²/Ey), one of unknown bank the larger.
 * Past the river's mouth (Han → Yangtze) targets get the cross-section mean. A station of unknown
 * bank is read as the mean, mixed across (the targets too).
 */

/** Mean flow velocity per river, m/s (river-section.ts: Yangtze 1.2, domain-facts 1.0–1.5; middle and lower Han 0.75, 0.5–1.0, low confidence). */
const PLUME_VELOCITY_MS: Readonly<Record<RiverName, number>> = { Yangtze: RIVER_SECTIONS.Yangtze.velocityMs, Han: RIVER_SECTIONS.Han.velocityMs };

const HOUR = 3_600_000;
const WORSE = ['II', 'III', 'IV', 'V', 'worse_than_V'] as const;

export interface ExceedanceObservation {
  station: string;
  metric: string;
  point: RiverPoint;
  /** Bank of the station (facing downstream); null: its reading is taken as the cross-section mean. */
  bank: Bank | null;
  /** The station's readings [epoch ms, value], oldest first, ending with the one that triggered the run. */
  readings: readonly (readonly [number, number])[];
  /** Discharge carrying the plume at the station, m³/s. */
  dischargeM3s: number;
}

export interface ExceedanceTarget {
  station: string;
  point: RiverPoint;
  /** Bank of the target (facing downstream); null: unknown (the larger of the near- and far-bank plume). */
  bank: Bank | null;
  dischargeM3s: number;
  /** The target's own recent level of the metric (what the plume adds to), mg/L. */
  baseline: number;
}

export interface ExceedanceOptions {
  /** Hours the latest excess is assumed to continue. */
  persistH: number;
  horizonH: number;
  stepMinutes: number;
  dispersionM2s: number;
  decayPerDay: number;
  /** Distance above a bank-side station where the plume is taken to have entered at its bank, km. */
  sourceKm: number;
}

/**
 * sourceKm 15 (ASSUMPTION, not calibrated): the station is taken to guard the reach just above it.
 * Farther is more precautionary (the station's reading is taken as more mixed: a larger mean load
 * and a fuller far bank; ∞ reads it as the cross-section mean, as before), nearer less. In the
 * simulator's spill scenario (outfall 17 km above the Xingou section, left bank) the highest
 * prediction over the watch's runs at the right-bank Qinduankou intake, 23 km below Xingou, is
 * 0.53 / 0.72 / 0.91 / 0.99 / 1.10 / 1.46 / 2.74 mg/L NH3-N for sourceKm 5 / 10 / 15 / 17 / 20 /
 * 30 / ∞ (simulated peak 0.87; class III 1.0): the far bank is warned from about 18 km on, mostly
 * through `persistH` (the peak reading continued for 6 h).
 */
export const EXCEEDANCE_DEFAULTS: ExceedanceOptions = { persistH: 6, horizonH: 48, stepMinutes: 10, dispersionM2s: SPILL_DEFAULTS.dispersionM2s, decayPerDay: SPILL_DEFAULTS.decayPerDay, sourceKm: 15 };

export interface ObservedSource {
  /** The station's reading ÷ the cross-section mean (its near-bank factor; 1 when read as the mean). */
  stationFactor: number;
  /** The station's baseline (lower quartile of its readings in the window), mg/L. */
  baseline: number;
  /** First reading of the excess (the plume's leading edge at the station), epoch ms. */
  startedAt: number;
  /** Load that has passed the station so far (cross-section mean × discharge), kg. */
  observedKg: number;
  /** Latest excess over the baseline as read, mg/L (continued for `persistH`). */
  latestExcess: number;
  releases: SpillParams[];
}

export interface TargetPrediction {
  station: string;
  distanceKm: number;
  bank: Bank | null;
  /** The plume at the target's side of the river ÷ the cross-section mean. */
  lateralFactor: number;
  baseline: number;
  /** Predicted peak (baseline + plume) within the horizon, mg/L, and when. */
  peak: number;
  peakAt: number;
  /** First time the prediction reaches the class III limit, or null. */
  arrivalAt: number | null;
  /** First time at each GB 3838 river limit (classes I..V), or null. */
  reaching: (number | null)[];
}

/** Lower quartile: the station's level without the plume, robust to a plume shorter than three quarters of the window. */
export function lowerQuartile(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 4)]!;
}

/** The station's reading ÷ the cross-section mean: its near-bank factor for a plume entered `sourceKm` above it at its bank (1 without a bank). */
export function stationFactor(o: Pick<ExceedanceObservation, 'bank' | 'point'>, opts: Pick<ExceedanceOptions, 'sourceKm'>): number {
  return targetFactor(o, o, 0, opts);
}

/** The releases that reproduce what passed the station (and the assumed continuation): cross-section mean loads. */
export function observedSource(o: ExceedanceObservation, opts: ExceedanceOptions): ObservedSource | null {
  const r = o.readings;
  if (r.length === 0) return null;
  const factor = stationFactor(o, opts);
  const baseline = lowerQuartile(r.map((x) => x[1]));
  const base: Omit<SpillParams, 'releaseAt' | 'durationH' | 'massKg'> = {
    at: o.point,
    velocityMs: PLUME_VELOCITY_MS[o.point.river],
    dispersionM2s: opts.dispersionM2s,
    transverseM2s: RIVER_SECTIONS[o.point.river].transverseM2s,
    decayPerDay: opts.decayPerDay,
    bank: null,
    thresholdMgL: null,
  };
  const excess = (v: number) => Math.max(0, v - baseline) / factor;
  const releases: SpillParams[] = [];
  let observedKg = 0;
  let startedAt: number | null = null;
  for (let i = 1; i < r.length; i++) {
    const [t0, v0] = r[i - 1]!;
    const [t1, v1] = r[i]!;
    const e = (excess(v0) + excess(v1)) / 2;
    if (!(e > 0) || !(t1 > t0)) continue;
    startedAt ??= excess(v0) > 0 ? t0 : t1;
    // mg/L = g/m³; × m³/s × s = g
    const kg = (e * o.dischargeM3s * (t1 - t0)) / 1000 / 1000;
    observedKg += kg;
    releases.push({ ...base, releaseAt: t0, durationH: (t1 - t0) / HOUR, massKg: kg });
  }
  const [tn, vn] = r[r.length - 1]!;
  const latestMean = excess(vn);
  if (latestMean > 0 && opts.persistH > 0) releases.push({ ...base, releaseAt: tn, durationH: opts.persistH, massKg: (latestMean * o.dischargeM3s * opts.persistH * 3600) / 1000 });
  if (releases.length === 0) return null;
  return { stationFactor: factor, baseline, startedAt: startedAt ?? tn, observedKg, latestExcess: latestMean * factor, releases };
}

/** The prediction at each target downstream of the station, from the issue time over the horizon. */
export function predictFromExceedance(model: BasinModel, o: ExceedanceObservation, targets: readonly ExceedanceTarget[], issuedAt: number, opts: ExceedanceOptions = EXCEEDANCE_DEFAULTS): { source: ObservedSource; targets: TargetPrediction[] } | null {
  const source = observedSource(o, opts);
  if (!source) return null;
  const limits = riverLimits(o.metric) ?? [];
  const step = opts.stepMinutes * 60_000;
  const out: TargetPrediction[] = [];
  for (const t of targets) {
    const path = model.path(o.point, t.point);
    if (!path || path.km <= 0 || t.station === o.station) continue;
    const plumes: MeanPlume[] = source.releases.map((p) => meanPlume(p, path.km, t.dischargeM3s));
    const lateral = targetFactor(o, t, path.km, opts);
    let peak = t.baseline;
    let peakAt = issuedAt;
    const reaching: (number | null)[] = limits.map(() => null);
    for (let at = issuedAt; at <= issuedAt + opts.horizonH * HOUR; at += step) {
      let plume = 0;
      for (const m of plumes) plume += meanPlumeAt(m, at);
      const c = t.baseline + lateral * plume;
      if (c > peak) [peak, peakAt] = [c, at];
      limits.forEach((l, i) => {
        if (reaching[i] === null && c > l) reaching[i] = at;
      });
    }
    out.push({ station: t.station, distanceKm: path.km, bank: t.bank, lateralFactor: lateral, baseline: t.baseline, peak, peakAt, arrivalAt: reaching[2] ?? null, reaching });
  }
  return { source, targets: out.sort((a, b) => a.distanceKm - b.distanceKm || a.station.localeCompare(b.station)) };
}

/** c/c̄ at a target `km` below the station: on the station's river, by bank as the plume spreads from `sourceKm` above the station; past its mouth, or from a station of unknown bank, the mean. */
export function targetFactor(o: Pick<ExceedanceObservation, 'bank' | 'point'>, t: Pick<ExceedanceTarget, 'bank' | 'point'>, km: number, opts: Pick<ExceedanceOptions, 'sourceKm'>): number {
  if (!o.bank || t.point.river !== o.point.river) return 1;
  const s = RIVER_SECTIONS[o.point.river];
  return bankFactor(o.bank, t.bank, lateralSpread(s.sigmaY0M, s.transverseM2s, (opts.sourceKm + km) * 1000, s.velocityMs), s);
}

/** The class crossings the rules read (`nh3n:IV`: the prediction passes the class III limit), as spill runs give them. */
export function exceedanceCrossings(forecastId: string, issuedAt: number, metric: string, targets: readonly TargetPrediction[]): ForecastCrossing[] {
  const limits = riverLimits(metric);
  if (!limits) return [];
  return targets.flatMap((t) =>
    CLASSES.map((_, i) => {
      const at = t.reaching[i] ?? null;
      return { forecastId, station: t.station, level: `${metric}:${WORSE[i]!}`, issuedAt, crossingAt: at, threshold: limits[i]!, ...(at !== null ? { value: t.peak } : {}) };
    }),
  );
}

/** GB 3838 river limits (classes I..V) of a metric with upper limits; null for others (pH, DO, temperature, non-GB 3838). */
function riverLimits(metric: string): readonly number[] | null {
  if (!isGb3838Item(metric) || metric === 'ph' || metric === 'water_temp' || metric === 'do') return null;
  return limitsOf(metric, 'river');
}

/** The class III limit an exceedance is watched against, or null when the metric is not watched. */
export const watchedLimit = (metric: string): number | null => riverLimits(metric)?.[2] ?? null;
