import type { GaugeLevels } from '@basin/schemas';
import type { Scenario } from './scenario.js';

/**
 * River hydraulics of the simulator: base flow along the rivers, lag-and-attenuate routing of
 * flood pulses (the analytic diffusion-wave solution for a Gaussian hydrograph), reservoir flood
 * operation and per-gauge rating curves. Every function is a pure function of time, so any
 * instant can be evaluated alone (backfill, restart, parallel stations).
 *
 * Facts (schemas/data/domain/domain-facts.json, copied here):
 *  - travel times: Three Gorges dam -> Shashi ~1.5 d (2012), Yichang -> Hankou ~4 d (2007),
 *    Three Gorges -> Wuhan 4-5 d (2020)            [flood_and_pollutant_travel.published_travel_times]
 *  - mean flow 1980-2020: Yichang 13,580, Hankou 22,530 m3/s          [hydrology.stations_yangtze]
 *  - 2020: Three Gorges inflow 75,000, outflow 49,400 m3/s; Hankou peak 28.77 m
 *                                                                     [hydrology.historical_floods]
 *  - 1998: Shashi 45.22 m at 53,700 m3/s; Yichang 63,600 m3/s
 *  - Three Gorges: flood-limit 145 m by 10 June, normal pool 175 m, min dry-season 155 m,
 *    flood-control storage 22.15 km3; Danjiangkou: normal pool 170 m, flood limit 160 m (summer)
 *    / 163.5 m (autumn)                                                [hydrology.dams_reservoirs]
 * Estimates (marked ESTIMATE; domain-facts lists them under not_found): mean flows at gauges other
 * than Yichang/Hankou, mean stages, flows at the warning level, Han River celerity, attenuation.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type RiverName = 'Yangtze' | 'Han';

/** Where the Han joins the Yangtze: Yangtze km 624 (Hankou), Han km 652 (domain-facts distances, derived). */
export const HAN_MOUTH_HAN_KM = 652;
export const HAN_MOUTH_YANGTZE_KM = 624;

/**
 * Flood-wave arrival time (hours after the Three Gorges dam) at Yangtze km: 0 h at the dam
 * (km -44), ~6 h at Yichang, 36 h at Shashi (TGD -> Shashi ~1.5 d), 102 h at Hankou (Yichang ->
 * Hankou ~4 d); below Hankou the Yichang-Hankou celerity (~1.8 m/s, 6.5 km/h) continues.
 */
const YANGTZE_TT: [km: number, h: number][] = [
  [-44, 0],
  [0, 6],
  [148, 36],
  [624, 102],
];
const YANGTZE_TAIL_KMH = (624 - 0) / 96;
/** Han River flood celerity, km/h. ESTIMATE (~1.2 m/s; flow velocity 0.5-1.0 m/s per domain-facts). */
const HAN_KMH = 4.3;

export function travelHours(river: RiverName, km: number): number {
  if (river === 'Han') return km / HAN_KMH;
  const first = YANGTZE_TT[0]!;
  if (km <= first[0]) return (km - first[0]) / YANGTZE_TAIL_KMH;
  for (let i = 1; i < YANGTZE_TT.length; i++) {
    const [k1, h1] = YANGTZE_TT[i]!;
    const [k0, h0] = YANGTZE_TT[i - 1]!;
    if (km <= k1) return h0 + ((km - k0) / (k1 - k0)) * (h1 - h0);
  }
  const [kl, hl] = YANGTZE_TT[YANGTZE_TT.length - 1]!;
  return hl + (km - kl) / YANGTZE_TAIL_KMH;
}

/**
 * Route from a source (river, km) to a point (river, km): null if the point is not downstream,
 * else channel distance (km) and travel time (h). The Han joins the Yangtze at Hankou.
 */
export function route(src: { river: RiverName; km: number }, dst: { river: RiverName; km: number }): { km: number; hours: number } | null {
  if (src.river === dst.river) {
    if (dst.km < src.km) return null;
    return { km: dst.km - src.km, hours: travelHours(dst.river, dst.km) - travelHours(src.river, src.km) };
  }
  if (src.river === 'Han' && dst.river === 'Yangtze' && dst.km >= HAN_MOUTH_YANGTZE_KM) {
    return {
      km: HAN_MOUTH_HAN_KM - src.km + (dst.km - HAN_MOUTH_YANGTZE_KM),
      hours: travelHours('Han', HAN_MOUTH_HAN_KM) - travelHours('Han', src.km) + travelHours('Yangtze', dst.km) - travelHours('Yangtze', HAN_MOUTH_YANGTZE_KM),
    };
  }
  return null;
}

/**
 * Per-gauge hydraulics: mean flow at the gauge, mean stage and the flow at which the stage reaches
 * the warning level (calibration points of a power-law rating h = z0 + a * Q^0.5).
 * qMean for Yichang and Hankou are facts; the rest are ESTIMATES (see header).
 */
export interface GaugeHydraulics {
  river: RiverName;
  km: number;
  qMean: number;
  hMean: number;
  qWarn: number;
}

export const GAUGE_HYDRAULICS: Record<string, GaugeHydraulics> = {
  yichang: { river: 'Yangtze', km: 0, qMean: 13_580, hMean: 44.0, qWarn: 50_000 },
  zhicheng: { river: 'Yangtze', km: 58, qMean: 14_000, hMean: 40.5, qWarn: 52_000 },
  shashi: { river: 'Yangtze', km: 148, qMean: 12_500, hMean: 34.5, qWarn: 42_000 },
  jianli: { river: 'Yangtze', km: 285, qMean: 12_000, hMean: 27.5, qWarn: 38_000 },
  lianhuatang: { river: 'Yangtze', km: 405, qMean: 20_000, hMean: 24.5, qWarn: 50_000 },
  luoshan: { river: 'Yangtze', km: 435, qMean: 20_500, hMean: 23.5, qWarn: 50_000 },
  hankou: { river: 'Yangtze', km: 624, qMean: 22_530, hMean: 19.0, qWarn: 55_000 },
  huangshi: { river: 'Yangtze', km: 770, qMean: 23_000, hMean: 16.0, qWarn: 58_000 },
  wuxue: { river: 'Yangtze', km: 850, qMean: 23_500, hMean: 14.0, qWarn: 60_000 },
  xiangyang: { river: 'Han', km: 115, qMean: 1_300, hMean: 62.0, qWarn: 12_000 },
  huangzhuang: { river: 'Han', km: 270, qMean: 1_600, hMean: 42.0, qWarn: 14_000 },
  shayang: { river: 'Han', km: 340, qMean: 1_600, hMean: 36.0, qWarn: 13_000 },
  xiantao: { river: 'Han', km: 510, qMean: 1_500, hMean: 27.0, qWarn: 11_000 },
  hanchuan: { river: 'Han', km: 590, qMean: 1_500, hMean: 22.0, qWarn: 10_000 },
};

/**
 * Gauges on a lake outlet, off the main-stem river km: Chenglingji (城陵矶, at 七里山 on the Dongting
 * outlet channel ~3.5 km above the confluence at Yangtze km 400; domain-facts stations_yangtze).
 * Discharge: the lake's base outflow (`qMean` times the season's flow factor) plus the scenario
 * tributary's rain-fed inflow — the same volume the main stem gains at `km`. Stage: the main
 * stem's stage at `mainGauge` just below the confluence (the Yangtze backs the outlet up: its
 * level is set by the river) plus the outlet channel's slope, `mPer1000` m per 1,000 m3/s of
 * outflow above the base.
 * qMean 8,000 m3/s = Lianhuatang 20,000 - Jianli 12,000 (this table's mean flows: ESTIMATE);
 * mPer1000 ESTIMATE, calibrated to Chenglingji 34.58 m on 2020-07-12 05:30 against Lianhuatang
 * 34.34 m that day (domain-facts) and 34.55 m on 2020-07-25 19:00 against 34.41 m
 * (schemas/data/domain/flood-2020-dongting.json).
 */
export interface OutletGauge {
  tributary: string;
  river: RiverName;
  km: number;
  qMean: number;
  mainGauge: string;
  mPer1000: number;
}

export const OUTLET_GAUGES: Record<string, OutletGauge> = {
  chenglingji: { tributary: 'dongting', river: 'Yangtze', km: 400, qMean: 8_000, mainGauge: 'lianhuatang', mPer1000: 0.0114 },
};

/** Mean flow above the first gauge: the dams release the mean upstream flow. */
const PROFILE_HEAD: Record<RiverName, [number, number]> = { Yangtze: [-44, 13_400], Han: [0, 1_200] };

const PROFILES: Record<RiverName, [km: number, q: number][]> = {
  Yangtze: [PROFILE_HEAD.Yangtze],
  Han: [PROFILE_HEAD.Han],
};
for (const g of Object.values(GAUGE_HYDRAULICS)) PROFILES[g.river].push([g.km, g.qMean]);
for (const r of ['Yangtze', 'Han'] as const) PROFILES[r].sort((a, b) => a[0] - b[0]);

function interpolate(table: readonly [number, number][], x: number): number {
  const first = table[0]!;
  if (x <= first[0]) return first[1];
  for (let i = 1; i < table.length; i++) {
    const [x1, y1] = table[i]!;
    const [x0, y0] = table[i - 1]!;
    if (x <= x1) return y0 + ((x - x0) / (x1 - x0)) * (y1 - y0);
  }
  return table[table.length - 1]![1];
}

/** Mean annual flow at a river km (m3/s). */
export function meanFlow(river: RiverName, km: number): number {
  return interpolate(PROFILES[river], km);
}

/** Day of year (1-366) in China Standard Time. */
export function dayOfYear(t: number): number {
  // Called several times per sample: remember the last day (a pure function of the day index).
  const day = Math.floor((t + 8 * HOUR) / DAY);
  if (day === doyMemo.day) return doyMemo.doy;
  const d = new Date(t + 8 * HOUR);
  const doy = Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY) + 1;
  doyMemo.day = day;
  doyMemo.doy = doy;
  return doy;
}
const doyMemo = { day: Number.NaN, doy: 0 };

/**
 * Seasonal flow factor: flood season peaks in late July, low water in late January.
 * ESTIMATE: amplitude 0.6 (Yangtze) gives ~21,700 m3/s in July and ~5,400 in January at Yichang.
 */
export function seasonalFlowFactor(river: RiverName, doy: number): number {
  const amp = river === 'Yangtze' ? 0.6 : 0.5;
  return 1 + amp * Math.cos((2 * Math.PI * (doy - 205)) / 365.25);
}

/** Attenuation of a Gaussian pulse: variance grows by K h² per km (ESTIMATE, diffusion wave). */
export const ATTENUATION_H2_PER_KM = 1.2;

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf approximation, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

interface SourcePulse {
  river: RiverName;
  km: number;
  peak: number;
  /** Epoch ms of the peak at the source. */
  at: number;
  sigmaH: number;
}

export interface ReservoirOp {
  station: 'three-gorges' | 'danjiangkou';
  river: RiverName;
  km: number;
  inPeak: number;
  inAt: number;
  inSigmaH: number;
  outPeak: number;
  outAt: number;
  outSigmaH: number;
  /** Water-surface area used to turn storage into level, m². */
  areaM2: number;
}

/** Reservoir facts: Three Gorges flood-control storage 22.15 km3 over 145-175 m => ~7.4e8 m² (derived). */
const RESERVOIR = {
  'three-gorges': { river: 'Yangtze' as const, km: -44, areaM2: 22.15e9 / 30 },
  // Danjiangkou: ~1,000 km² water surface at normal pool (ESTIMATE).
  danjiangkou: { river: 'Han' as const, km: 0, areaM2: 1.0e9 },
};

/**
 * Rain-driven inflow of a tributary: a block of rain-fed flow `q` (m3/s) between `from` and `to`
 * at the junction, smoothed by the catchment (Gaussian, `sigmaH`): q (Φ((t-from)/σ) - Φ((t-to)/σ)).
 * Routed downstream like a pulse (lag, σ² grows with distance), volume kept.
 */
interface SourceBlock {
  trib: string;
  river: RiverName;
  km: number;
  q: number;
  from: number;
  to: number;
  sigmaH: number;
}

/** Spatial weight in [0, 1]: 1 at the centre, 0 beyond the radius. */
export function taper(lon: number, lat: number, center: readonly [number, number], radiusKm: number): number {
  const dx = (lon - center[0]) * 111.32 * Math.cos((lat * Math.PI) / 180);
  const dy = (lat - center[1]) * 110.57;
  const d = Math.sqrt(dx * dx + dy * dy) / radiusKm;
  return d >= 1 ? 0 : 1 - d * d;
}

/**
 * Loop rating (Jones): on a rising flood the same discharge passes at a lower stage than on the
 * falling limb. Metres of stage per (m3/s per hour) of dQ/dt. ESTIMATE.
 */
export const LOOP_M_PER_M3S_H = 0.0015;

/** 1 mm/h of runoff from 1 km² in m3/s. */
const MM_H_KM2 = 1000 / 3600;

/** Compiled hydraulics of a scenario for a run starting at `t0`. */
export class RiverModel {
  readonly pulses: SourcePulse[] = [];
  readonly reservoirs: ReservoirOp[] = [];
  readonly blocks: SourceBlock[] = [];
  /** Backwater coefficients per gauge: [tributary id, m per 1000 m3/s][]. */
  private readonly backwater = new Map<string, [string, number][]>();

  constructor(
    readonly scenario: Scenario,
    readonly t0: number,
  ) {
    for (const p of scenario.pulses) this.pulses.push({ river: p.river, km: p.km, peak: p.peakM3s, at: t0 + p.atH * HOUR, sigmaH: p.widthH });
    for (const r of scenario.reservoirs) {
      const fact = RESERVOIR[r.station];
      const base = meanFlow(fact.river, fact.km) * this.flowFactor(t0 + r.atH * HOUR, fact.river);
      const inPeak = Math.max(0, r.inflowPeakM3s - base);
      const outPeak = Math.max(1, Math.min(inPeak, r.maxOutflowM3s - base));
      // Same volume released with a lower peak: the hydrograph widens; the dam releases the peak
      // after the inflow peak has passed (storage fills first), unless the scenario says when.
      const outSigmaH = (r.widthH * inPeak) / outPeak;
      const outAtH = r.releaseAtH ?? r.atH + (outSigmaH - r.widthH);
      const op: ReservoirOp = {
        station: r.station,
        river: fact.river,
        km: fact.km,
        inPeak,
        inAt: t0 + r.atH * HOUR,
        inSigmaH: r.widthH,
        outPeak,
        outAt: t0 + outAtH * HOUR,
        outSigmaH,
        areaM2: fact.areaM2,
      };
      this.reservoirs.push(op);
      this.pulses.push({ river: fact.river, km: fact.km, peak: outPeak, at: op.outAt, sigmaH: outSigmaH });
    }
    for (const tr of scenario.tributaries) {
      const [lon, lat] = tr.catchment.center;
      for (const e of scenario.rain) {
        const mmH = e.mmPerHour * taper(lon, lat, e.center, e.radiusKm) * scenario.rainFactor;
        if (mmH <= 0) continue;
        this.blocks.push({
          trib: tr.id,
          river: tr.river,
          km: tr.km,
          q: mmH * MM_H_KM2 * tr.catchment.areaKm2 * tr.runoff,
          from: t0 + (e.fromH + tr.lagH) * HOUR,
          to: t0 + (e.toH + tr.lagH) * HOUR,
          sigmaH: tr.spreadH,
        });
      }
      for (const [gauge, m] of Object.entries(tr.backwater)) {
        const list = this.backwater.get(gauge) ?? [];
        list.push([tr.id, m]);
        this.backwater.set(gauge, list);
      }
    }
  }

  /** Rain-fed inflow of a tributary at its junction (m3/s above its base flow). */
  tributaryInflow(id: string, t: number): number {
    let q = 0;
    for (const b of this.blocks) if (b.trib === id) q += blockAt(b, b.river, b.km, t);
    return q;
  }

  /**
   * Stage at a gauge: the rating at the discharge, raised by the backwater of lakes and
   * tributaries downstream, lowered on a rising flood (loop rating).
   */
  stage(gauge: { id: string; river: RiverName; km: number; rating: Rating }, t: number): number {
    const q = this.discharge(gauge.river, gauge.km, t);
    let h = stageOf(gauge.rating, q);
    const bw = this.backwater.get(gauge.id);
    if (bw) for (const [trib, m] of bw) h += (m * this.tributaryInflow(trib, t)) / 1000;
    if (this.pulses.length === 0 && this.blocks.length === 0) return h; // no flood wave: no loop
    const dq = this.discharge(gauge.river, gauge.km, t + HOUR / 2) - this.discharge(gauge.river, gauge.km, t - HOUR / 2);
    return h - LOOP_M_PER_M3S_H * dq;
  }

  /** Outflow of a lake outlet gauge (m3/s): base outflow of the season plus the scenario's inflow. */
  outletDischarge(o: OutletGauge, t: number): number {
    return o.qMean * this.flowFactor(t, o.river) + this.tributaryInflow(o.tributary, t);
  }

  /** Stage of a lake outlet gauge: the main stem's stage below the confluence plus the outlet channel's slope. */
  outletStage(o: OutletGauge, main: { id: string; river: RiverName; km: number; rating: Rating }, t: number): number {
    return this.stage(main, t) + (o.mPer1000 * this.tributaryInflow(o.tributary, t)) / 1000;
  }

  doy(t: number): number {
    return this.scenario.seasonDoy ?? dayOfYear(t);
  }

  flowFactor(t: number, river: RiverName): number {
    return seasonalFlowFactor(river, this.doy(t)) * this.scenario.flowFactor;
  }

  /** Base (non-flood) discharge at a point. */
  baseFlow(river: RiverName, km: number, t: number): number {
    return meanFlow(river, km) * this.flowFactor(t, river);
  }

  /** Discharge at a point: base flow plus every routed pulse from upstream. */
  discharge(river: RiverName, km: number, t: number): number {
    let q = this.baseFlow(river, km, t);
    for (const p of this.pulses) q += routedPulse(p, river, km, t);
    for (const b of this.blocks) q += blockAt(b, river, km, t);
    return q;
  }

  /** Reservoir inflow, outflow (m3/s) and storage above the seasonal level (m3). */
  reservoir(station: 'three-gorges' | 'danjiangkou', t: number): { inflow: number; outflow: number; storage: number } {
    const fact = RESERVOIR[station];
    const base = this.baseFlow(fact.river, fact.km, t);
    let inflow = base;
    let outflow = base;
    let storage = 0;
    for (const op of this.reservoirs) {
      if (op.station !== station) continue;
      const zi = (t - op.inAt) / (op.inSigmaH * HOUR);
      const zo = (t - op.outAt) / (op.outSigmaH * HOUR);
      inflow += op.inPeak * Math.exp(-0.5 * zi * zi);
      outflow += op.outPeak * Math.exp(-0.5 * zo * zo);
      const volIn = op.inPeak * op.inSigmaH * 3600 * SQRT_2PI;
      const volOut = op.outPeak * op.outSigmaH * 3600 * SQRT_2PI;
      storage += volIn * normalCdf(zi) - volOut * normalCdf(zo);
    }
    return { inflow, outflow, storage };
  }

  /** Reservoir water level: seasonal operating level plus flood storage over the surface area. */
  reservoirLevel(station: 'three-gorges' | 'danjiangkou', t: number): number {
    const { storage } = this.reservoir(station, t);
    return seasonalPoolLevel(station, this.doy(t)) + storage / RESERVOIR[station].areaM2;
  }
}

function routedPulse(p: SourcePulse, river: RiverName, km: number, t: number): number {
  const r = route(p, { river, km });
  if (!r) return 0;
  const sigma = Math.sqrt(p.sigmaH * p.sigmaH + ATTENUATION_H2_PER_KM * r.km);
  const z = (t - p.at - r.hours * HOUR) / (sigma * HOUR);
  if (z < -8 || z > 8) return 0;
  return ((p.peak * p.sigmaH) / sigma) * Math.exp(-0.5 * z * z);
}

function blockAt(b: SourceBlock, river: RiverName, km: number, t: number): number {
  const r = route(b, { river, km });
  if (!r) return 0;
  const sigma = Math.sqrt(b.sigmaH * b.sigmaH + ATTENUATION_H2_PER_KM * r.km) * HOUR;
  const lag = r.hours * HOUR;
  const za = (t - b.from - lag) / sigma;
  const zb = (t - b.to - lag) / sigma;
  if (za < -8 || zb > 8) return 0;
  return b.q * (normalCdf(za) - normalCdf(zb));
}

/** Peak time and peak discharge increase of a pulse at a point (for tests and docs). */
export function pulseArrival(p: { river: RiverName; km: number; peak: number; at: number; sigmaH: number }, at: { river: RiverName; km: number }) {
  const r = route(p, at);
  if (!r) return null;
  const sigma = Math.sqrt(p.sigmaH * p.sigmaH + ATTENUATION_H2_PER_KM * r.km);
  return { peakAt: p.at + r.hours * HOUR, peak: (p.peak * p.sigmaH) / sigma, sigmaH: sigma };
}

/**
 * Seasonal operating level of the reservoirs (m): Three Gorges at the 145 m flood limit from
 * 10 June to 10 September (the season of its flood limit in schemas), filled to (within 5 cm of) 175 m by the end of October — the
 * gauge's ±2 cm noise must not read above the normal pool — drawn down through 155 m (minimum
 * dry-season level) in May; Danjiangkou at 160 m (summer limit, 21 Jun–20 Aug), held at 163.5 m
 * through the autumn flood season (1 Sep–10 Oct), then towards 170 m in winter.
 */
const POOL: Record<'three-gorges' | 'danjiangkou', [doy: number, level: number][]> = {
  'three-gorges': [
    [1, 172],
    [120, 158],
    [161, 145],
    [253, 145],
    [300, 174.95],
    [366, 172],
  ],
  danjiangkou: [
    [1, 166],
    [150, 161],
    [172, 160],
    [232, 160],
    [245, 163.5],
    [283, 163.5],
    [305, 167],
    [366, 166],
  ],
};
export function seasonalPoolLevel(station: 'three-gorges' | 'danjiangkou', doy: number): number {
  return interpolate(POOL[station], doy);
}

/** Power-law rating h = z0 + a * sqrt(Q), through (qMean, hMean) and (qWarn, warning). */
export interface Rating {
  z0: number;
  a: number;
}

export function ratingFor(g: Pick<GaugeHydraulics, 'qMean' | 'hMean' | 'qWarn'>, warning: number): Rating {
  const a = (warning - g.hMean) / (Math.sqrt(g.qWarn) - Math.sqrt(g.qMean));
  return { z0: g.hMean - a * Math.sqrt(g.qMean), a };
}

export function stageOf(r: Rating, q: number): number {
  return r.z0 + r.a * Math.sqrt(Math.max(0, q));
}

export function dischargeOf(r: Rating, h: number): number {
  const s = (h - r.z0) / r.a;
  return s <= 0 ? 0 : s * s;
}

/** Hydraulics of any point on a river (synthetic gauges): interpolated between real gauges. */
export function hydraulicsAt(river: RiverName, km: number, levels: (id: string) => GaugeLevels | null): { g: GaugeHydraulics; levels: GaugeLevels } {
  const gauges = Object.entries(GAUGE_HYDRAULICS)
    .filter(([, g]) => g.river === river)
    .sort((a, b) => a[1].km - b[1].km);
  let lo = gauges[0]!;
  let hi = gauges[gauges.length - 1]!;
  for (let i = 0; i < gauges.length; i++) {
    if (gauges[i]![1].km <= km) lo = gauges[i]!;
    if (gauges[gauges.length - 1 - i]![1].km >= km) hi = gauges[gauges.length - 1 - i]!;
  }
  const span = hi[1].km - lo[1].km;
  const f = span <= 0 ? 0 : Math.max(0, Math.min(1, (km - lo[1].km) / span));
  const mix = (a: number, b: number) => a + (b - a) * f;
  const la = levels(lo[0]);
  const lb = levels(hi[0]);
  const wa = la?.warning ?? lo[1].hMean + 8;
  const wb = lb?.warning ?? hi[1].hMean + 8;
  const warning = Math.round(mix(wa, wb) * 100) / 100;
  return {
    g: { river, km, qMean: meanFlow(river, km), hMean: mix(lo[1].hMean, hi[1].hMean), qWarn: mix(lo[1].qWarn, hi[1].qWarn) },
    levels: { setup: Math.round((warning - 1) * 100) / 100, warning, guaranteed: Math.round((warning + 2.5) * 100) / 100, historicalMax: null },
  };
}
