import { HAN_MOUTH, type BasinModel, type RiverName, type SnappedStation } from '../model/network.js';
import { levelsInForce } from '../model/levels.js';
import { route } from './muskingum.js';
import { fitRating, stageOf, type Rating } from './rating.js';

/** Hourly observed series of one station (index i = hour `start + i·1h`; NaN where missing). */
export interface HourlySeries {
  start: number;
  discharge?: number[];
  stage?: number[];
  outflow?: number[];
}

export interface FloodForecastInput {
  /** Issue time: the newest input hour (epoch ms, on the hour). */
  issuedAt: number;
  horizonH: number;
  /** Muskingum x per reach (K comes from the reach travel time). ESTIMATE 0.2 (domain-facts x_typical). */
  x: number;
  series: ReadonlyMap<string, HourlySeries>;
}

export interface GaugeForecast {
  station: string;
  river: RiverName;
  km: number;
  /** Hourly from issuedAt+1h to issuedAt+horizon. */
  discharge: number[];
  stage: number[] | null;
  rating: Rating | null;
  crossings: { level: string; value: number; at: number; stage: number }[];
}

export interface FloodForecast {
  issuedAt: number;
  horizonH: number;
  gauges: GaugeForecast[];
}

const HOUR = 3_600_000;
/** Gauge of the Dongting Lake outflow (城陵矶 七里山), joining the Yangtze at the outlet node. */
const DONGTING_GAUGE = 'chenglingji';

/** Stations whose readings are the forecast's inputs: gauges and reservoirs on the network, and the Dongting outflow gauge. */
export function forecastInputStations(model: BasinModel): string[] {
  const ids = [...model.stations.values()].filter((s) => s.kind === 'hydrology_gauge' || s.kind === 'reservoir').map((s) => s.id);
  return model.stationInfo.has(DONGTING_GAUGE) ? [...ids, DONGTING_GAUGE] : ids;
}
/** e-folding time of the current routing error in the forecast, h. ESTIMATE. */
const RESIDUAL_DECAY_H = 12;
/** e-folding time of a river head's departure from its usual flow beyond the issue time, h. ESTIMATE. */
const HEAD_RELAX_H = 24;
/** e-folding time of a lake outflow's recent trend beyond the issue time, h. ESTIMATE. */
const LAKE_TREND_H = 24;

/**
 * Error correction at a gauge: the median of observed − routed over the window stands for the
 * lateral inflow between gauges (persistent); the rest of the error at the issue time decays.
 */
function correction(obs: readonly number[], routed: readonly number[], now: number): { base: number; residual: number } {
  const d: number[] = [];
  for (let i = 0; i <= now; i++) if (Number.isFinite(obs[i]!) && Number.isFinite(routed[i]!)) d.push(obs[i]! - routed[i]!);
  if (d.length === 0) return { base: 0, residual: 0 };
  d.sort((a, b) => a - b);
  const base = d[Math.floor(d.length / 2)]!;
  return { base, residual: obs[now]! - routed[now]! - base };
}

/** Series value at hour index, NaN-safe: the last finite value at or before it. */
function lastFinite(a: readonly number[] | undefined, upto = Infinity): number {
  if (!a) return NaN;
  for (let i = Math.min(a.length - 1, upto); i >= 0; i--) if (Number.isFinite(a[i]!)) return a[i]!;
  return NaN;
}

/** Fill gaps by carrying values forward (and the first value backward). */
function fill(a: readonly number[]): number[] {
  const out = a.slice();
  let last = NaN;
  for (let i = 0; i < out.length; i++) {
    if (Number.isFinite(out[i]!)) last = out[i]!;
    else out[i] = last;
  }
  const first = out.find((v) => Number.isFinite(v));
  return out.map((v) => (Number.isFinite(v) ? v : (first ?? 0)));
}

/**
 * Flood forecast for every gauge of the network: each river is routed from its head (the dam's
 * observed outflow, else the first gauge's discharge) reach by reach with Muskingum (K = the
 * reach's travel time). At every gauge with observations the routed series is corrected to the
 * observed discharge at the issue time (a persistent offset stands for the lateral inflow between
 * gauges), and the corrected series — observed past, forecast future — is routed on. The Han
 * enters the Yangtze at its mouth. Inputs beyond the issue time are held at their last value.
 * Stages come from each gauge's fitted rating, shifted to the observed stage at the issue time.
 */
export function forecastFlood(model: BasinModel, input: FloodForecastInput): FloodForecast {
  const hist = Math.max(...[...input.series.values()].map((s) => Math.max(s.discharge?.length ?? 0, s.outflow?.length ?? 0, s.stage?.length ?? 0)), 1);
  const start = input.issuedAt - (hist - 1) * HOUR;
  const len = hist + input.horizonH;
  const now = hist - 1;
  const aligned = (id: string, key: keyof Omit<HourlySeries, 'start'>): number[] | undefined => {
    const s = input.series.get(id);
    const a = s?.[key];
    if (!s || !a) return undefined;
    const off = Math.round((s.start - start) / HOUR);
    const out = new Array<number>(hist).fill(NaN);
    for (let i = 0; i < a.length; i++) if (i + off >= 0 && i + off < hist) out[i + off] = a[i]!;
    return out.some(Number.isFinite) ? out : undefined;
  };
  // The head of a river beyond the issue time: relaxing from its last value towards the median of
  // the window (its usual flow) with an e-folding time of HEAD_RELAX_H (ESTIMATE; a declared
  // reservoir release schedule would replace it).
  const extend = (a: number[]): number[] => {
    const f = fill(a);
    const last = f[now]!;
    const usual = [...f].sort((x, y) => x - y)[Math.floor(f.length / 2)]!;
    return [...f, ...Array.from({ length: input.horizonH }, (_, i) => usual + (last - usual) * Math.exp(-(i + 1) / HEAD_RELAX_H))];
  };

  // A lake's outflow beyond the issue time: its trend over the last 12 h continued, damped with an
  // e-folding time of LAKE_TREND_H (ESTIMATE: a lake responds slowly, its rise goes on for a while).
  const extendTrend = (a: number[]): number[] => {
    const f = fill(a);
    const slope = now >= 12 ? (f[now]! - f[now - 12]!) / 12 : 0;
    return [...f, ...Array.from({ length: input.horizonH }, (_, i) => Math.max(0, f[now]! + slope * LAKE_TREND_H * (1 - Math.exp(-(i + 1) / LAKE_TREND_H))))];
  };

  const results: GaugeForecast[] = [];
  const riverFlow = (river: RiverName, joins: { km: number; flow: number[] }[] = []): number[] | null => {
    const points = model.gaugesOf(river);
    let flow: number[] | null = null;
    let km = points[0]?.km ?? 0;
    let next = 0;
    // A tributary or lake outflow joins: route the main flow down to the junction and add it there.
    const join = (j: { km: number; flow: number[] }) => {
      if (flow) flow = route(flow, { kH: model.hoursBetween(river, km, j.km), x: input.x }).map((q, i) => q + j.flow[i]!);
      km = j.km;
    };
    for (const p of points) {
      while (next < joins.length && p.km >= joins[next]!.km && flow) join(joins[next++]!);
      const obs = aligned(p.id, p.kind === 'reservoir' ? 'outflow' : 'discharge');
      if (flow) flow = route(flow, { kH: model.hoursBetween(river, km, p.km), x: input.x });
      km = p.km;
      if (obs) {
        const o = fill(obs);
        if (!flow) flow = extend(obs);
        else {
          const routed: number[] = flow;
          const { base, residual } = correction(o, routed, now);
          flow = routed.map((q, i) => (i <= now ? o[i]! : Math.max(0, q + base + residual * Math.exp(-(i - now) / RESIDUAL_DECAY_H))));
        }
      }
      if (flow && p.kind === 'hydrology_gauge') results.push(gaugeResult(model, p, flow.slice(now + 1), aligned(p.id, 'stage'), aligned(p.id, 'discharge'), now, input));
    }
    while (next < joins.length && flow) join(joins[next++]!);
    return flow;
  };
  const han = riverFlow('Han');
  const mouth = model.hoursBetween('Han', lastKm(model.gaugesOf('Han')), 652);
  const hanAtMouth = han ? route(han, { kH: mouth, x: input.x }) : new Array<number>(len).fill(0);
  // The Dongting Lake outflow at Chenglingji (its gauge's observed discharge, its trend continued
  // beyond the issue time) joins at the outlet; none when the gauge has no discharge.
  const dongting = aligned(DONGTING_GAUGE, 'discharge');
  const lake = dongting ? [{ km: model.nodes.get('dongting-outlet')?.km ?? 400, flow: extendTrend(dongting) }] : [];
  riverFlow('Yangtze', [...lake, { km: HAN_MOUTH.yangtze.km, flow: hanAtMouth }]);
  return { issuedAt: input.issuedAt, horizonH: input.horizonH, gauges: results };
}

const lastKm = (ps: SnappedStation[]) => ps[ps.length - 1]?.km ?? 0;

function gaugeResult(model: BasinModel, p: SnappedStation, future: number[], stageObs: number[] | undefined, qObs: number[] | undefined, now: number, input: FloodForecastInput): GaugeForecast {
  let rating: Rating | null = null;
  let stage: number[] | null = null;
  const crossings: GaugeForecast['crossings'] = [];
  if (stageObs && qObs) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < stageObs.length; i++) if (Number.isFinite(stageObs[i]!) && Number.isFinite(qObs[i]!)) pairs.push([stageObs[i]!, qObs[i]!]);
    rating = fitRating(pairs);
    const hNow = lastFinite(stageObs, now);
    const qNow = lastFinite(qObs, now);
    if (rating && Number.isFinite(hNow)) {
      const shift = hNow - stageOf(rating, qNow);
      stage = future.map((q) => round3(stageOf(rating!, q) + shift));
      const ref = model.references.get(p.id);
      if (ref) {
        for (const l of levelsInForce(ref, input.issuedAt)) {
          if (hNow >= l.value) continue;
          const i = stage.findIndex((h) => h >= l.value);
          if (i >= 0) crossings.push({ level: l.kind, value: l.value, at: input.issuedAt + (i + 1) * HOUR, stage: stage[i]! });
        }
      }
    }
  }
  return { station: p.id, river: p.river, km: p.km, discharge: future.map(Math.round), stage, rating, crossings };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
