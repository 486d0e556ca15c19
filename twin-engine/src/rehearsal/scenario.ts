import type { ForecastCrossing, RehearsalModifier } from '@basin/schemas';
import type { FloodForecast, GaugeForecast, HourlySeries } from '../forecast/flood.js';
import { route } from '../forecast/muskingum.js';
import { stageOf } from '../forecast/rating.js';
import { spillCrossings } from '../forecast/spill-run.js';
import type { SpillForecast } from '../forecast/spill-request.js';
import { levelsInForce } from '../model/levels.js';
import { HAN_MOUTH, type BasinModel } from '../model/network.js';
import type { PredictedSeries } from './run.js';

const HOUR = 3_600_000;
/** Registry level kinds as the rules name them (schemas ForecastLevel), as in forecast/run.ts. */
const LEVEL_NAME: Partial<Record<string, string>> = { setup: 'fortification', warning: 'warning', guaranteed: 'guaranteed', historical_max: 'historical_max' };

export interface ScenarioInput {
  model: BasinModel;
  /** The flood forecast issued at the rehearsal's start, horizon = the rehearsal's hours. */
  base: FloodForecast;
  /** The observed hourly inputs the forecast was made from (a reservoir's last outflow is its baseline release). */
  inputs: ReadonlyMap<string, HourlySeries>;
  modifiers: readonly RehearsalModifier[];
  /** Muskingum x used by the forecast. */
  x: number;
  /** The plume of a declared spill (forecast/spill-request.ts, injected: it reads the live discharges). */
  spill: (m: Extract<RehearsalModifier, { type: 'spill' }>, releaseAt: number) => SpillForecast | null;
  /** Latest value per `station\0metric` (the background a plume adds to). */
  latest: ReadonlyMap<string, number>;
}

export interface Scenario {
  series: PredictedSeries[];
  crossings: ForecastCrossing[];
}

/**
 * The predicted future of a rehearsal (pure): the flood forecast with the reservoir-release changes
 * superposed — Muskingum routing is linear, so the change of a dam's outflow (new release − its
 * last observed outflow, over the modifier's hours) is routed down to every gauge below it and added
 * to the forecast discharge, and each gauge's stage follows its rating — plus the plumes of spills
 * as concentration series at the intakes and sections downstream. Level crossings of the modified
 * stages and plumes are the forecast-based rules' input.
 */
export function scenario(inp: ScenarioInput): Scenario {
  const { base, model } = inp;
  const start = base.issuedAt;
  const n = base.horizonH;
  const delta = new Map<string, number[]>();
  for (const m of inp.modifiers) {
    if (m.type !== 'reservoir_outflow') continue;
    const at = model.stations.get(m.station);
    if (!at) continue;
    const out = inp.inputs.get(m.station)?.outflow ?? [];
    const last = [...out].reverse().find((v) => Number.isFinite(v)) ?? m.outflow;
    const change = Array.from({ length: n + 1 }, (_, i) => (i >= m.startHours && i < m.startHours + m.hours ? m.outflow - last : 0));
    for (const g of base.gauges) {
      const kH = travelHours(model, at.river, at.km, g.river, g.km);
      if (kH === null) continue;
      const routed = route(change, { kH, x: inp.x });
      const d = delta.get(g.station) ?? new Array<number>(n + 1).fill(0);
      routed.forEach((v, i) => (d[i] = d[i]! + v));
      delta.set(g.station, d);
    }
  }
  const series: PredictedSeries[] = [];
  const crossings: ForecastCrossing[] = [];
  const id = `rehearsal-${start}`;
  for (const g of base.gauges) {
    const d = delta.get(g.station);
    const q = g.discharge.map((v, i) => Math.max(0, v + (d ? d[i + 1]! : 0)));
    series.push({ station: g.station, metric: 'discharge', points: q.map((v, i) => [start + (i + 1) * HOUR, Math.round(v)]) });
    const stage = modifiedStage(g, q);
    if (!stage) continue;
    series.push({ station: g.station, metric: 'water_level', points: stage.map((v, i) => [start + (i + 1) * HOUR, v]) });
    crossings.push(...stageCrossings(model, g.station, stage, start, id));
  }
  for (const m of inp.modifiers) {
    if (m.type !== 'spill') continue;
    const f = inp.spill(m, start + m.startHours * HOUR);
    if (!f) continue;
    crossings.push(...spillCrossings(id, start, m.metric, f.arrivals));
    for (const a of f.arrivals) {
      const bg = inp.latest.get(`${a.station}\u0000${m.metric}`) ?? 0;
      const sigma = Math.max(a.sigmaH, 0.25) * HOUR;
      series.push({
        station: a.station,
        metric: m.metric,
        points: Array.from({ length: n }, (_, i) => {
          const t = start + (i + 1) * HOUR;
          return [t, round3(bg + a.peakMgL * Math.exp(-(((t - a.peakAt) / sigma) ** 2) / 2))] as [number, number];
        }),
      });
    }
  }
  return { series, crossings };
}

/** Travel time from a dam to a gauge downstream (through the Han mouth for Han dams), or null when the gauge is not below it. */
function travelHours(model: BasinModel, river: string, km: number, gRiver: string, gKm: number): number | null {
  if (river === gRiver) return gKm > km ? model.hoursBetween(gRiver as 'Yangtze', km, gKm) : null;
  if (river === 'Han' && gRiver === 'Yangtze' && gKm >= HAN_MOUTH.yangtze.km) return model.hoursBetween('Han', km, HAN_MOUTH.han.km) + model.hoursBetween('Yangtze', HAN_MOUTH.yangtze.km, gKm);
  return null;
}

/** The forecast stage moved by the rating's response to the changed discharge (null without a stage forecast). */
function modifiedStage(g: GaugeForecast, q: number[]): number[] | null {
  if (!g.stage) return null;
  const r = g.rating;
  if (!r) return g.stage;
  return g.stage.map((h, i) => round3(h + stageOf(r, q[i]!) - stageOf(r, g.discharge[i]!)));
}

function stageCrossings(model: BasinModel, station: string, stage: number[], start: number, id: string): ForecastCrossing[] {
  const ref = model.references.get(station);
  if (!ref || ref.type !== 'river') return [];
  const out: ForecastCrossing[] = [];
  for (const l of levelsInForce(ref, start)) {
    const level = LEVEL_NAME[l.kind];
    if (!level) continue;
    const i = stage.findIndex((h) => h >= l.value);
    out.push({ forecastId: id, station, level, issuedAt: start, crossingAt: i >= 0 ? start + (i + 1) * HOUR : null, threshold: l.value, ...(i >= 0 ? { value: stage[i]! } : {}) });
  }
  return out;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
