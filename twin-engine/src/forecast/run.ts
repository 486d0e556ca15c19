import type { ForecastCrossing } from '@basin/schemas';
import type { GaugeReference } from '../model/levels.js';
import { levelsInForce } from '../model/levels.js';
import type { FloodForecast, GaugeForecast } from './flood.js';

/** Version of the flood model a run was made with (stored with each run; bump when the method changes). */
export const FLOOD_MODEL_VERSION = 'muskingum-network/1';

export interface ForecastPoint {
  station: string;
  metric: 'water_level' | 'discharge';
  validAt: number;
  leadH: number;
  value: number;
  lower: number;
  upper: number;
}

export interface FloodRun {
  id: string;
  issuedAt: number;
  horizonH: number;
  modelVersion: string;
  points: ForecastPoint[];
  crossings: ForecastCrossing[];
}

/**
 * Band half-widths (≈90 %) growing with lead time: σ(lead) = √(σ0² + (g·lead)²). ESTIMATES (no
 * published skill for these gauges): stage σ0 0.05 m, 0.02 m/h; discharge 3 % + 0.3 %/h.
 * Replaced per gauge and lead bucket by the skill ledger's RMSE when one is known.
 */
const Z90 = 1.645;
export function bandHalfWidth(metric: ForecastPoint['metric'], leadH: number, value: number, rmse?: number): number {
  if (rmse !== undefined && Number.isFinite(rmse)) return Z90 * rmse;
  const [s0, g] = metric === 'water_level' ? [0.05, 0.02] : [0.03 * Math.abs(value), 0.003 * Math.abs(value)];
  return Z90 * Math.sqrt(s0 * s0 + (g * leadH) ** 2);
}

/** Gauge level kinds a flood run predicts crossing (the rules' ForecastLevel names; reservoirs are not routed to a stage). */
const GAUGE_LEVELS: ReadonlySet<string> = new Set(['fortification', 'warning', 'guaranteed', 'historical_max']);

/** Known RMSE per station, metric and lead hour (from the skill ledger), if any. */
export type SkillLookup = (station: string, metric: ForecastPoint['metric'], leadH: number) => number | undefined;

function gaugePoints(g: GaugeForecast, issuedAt: number, skill: SkillLookup): ForecastPoint[] {
  const out: ForecastPoint[] = [];
  const add = (metric: ForecastPoint['metric'], values: readonly number[]) =>
    values.forEach((value, i) => {
      const leadH = i + 1;
      const w = bandHalfWidth(metric, leadH, value, skill(g.station, metric, leadH));
      const lower = metric === 'discharge' ? Math.max(0, value - w) : value - w;
      out.push({ station: g.station, metric, validAt: issuedAt + leadH * 3_600_000, leadH, value, lower: round3(lower), upper: round3(value + w) });
    });
  add('discharge', g.discharge);
  if (g.stage) add('water_level', g.stage);
  return out;
}

/**
 * Every gauge level in force at the issue time with its predicted crossing, or null when the run
 * does not cross it (so a rule fired by an earlier run can clear). Gauges only: reservoirs are
 * not routed to a stage here and never get gauge level kinds.
 */
function gaugeCrossings(id: string, g: GaugeForecast, ref: GaugeReference | undefined, issuedAt: number): ForecastCrossing[] {
  if (!ref || ref.type !== 'river' || !g.stage) return [];
  const out: ForecastCrossing[] = [];
  for (const l of levelsInForce(ref, issuedAt)) {
    if (!GAUGE_LEVELS.has(l.kind)) continue;
    const hit = g.crossings.find((c) => c.level === l.kind);
    out.push({ forecastId: id, station: g.station, level: l.kind as ForecastCrossing['level'], issuedAt, crossingAt: hit?.at ?? null, threshold: l.value, ...(hit ? { value: hit.stage } : {}) });
  }
  return out;
}

/** A flood forecast as a stored run: points with bands, and the crossings handed to the rules. */
export function floodRun(f: FloodForecast, refs: ReadonlyMap<string, GaugeReference>, inputsDigest: string, skill: SkillLookup = () => undefined): FloodRun {
  const id = `flood-${new Date(f.issuedAt).toISOString().slice(0, 13)}-${inputsDigest.slice(0, 10)}`;
  return {
    id,
    issuedAt: f.issuedAt,
    horizonH: f.horizonH,
    modelVersion: FLOOD_MODEL_VERSION,
    points: f.gauges.flatMap((g) => gaugePoints(g, f.issuedAt, skill)),
    crossings: f.gauges.flatMap((g) => gaugeCrossings(id, g, refs.get(g.station), f.issuedAt)),
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
