import { METRICS, type MetricCode } from '@basin/schemas';
import { dayOfYear, meanFlow, RiverModel, route, taper, type RiverName } from './hydro.js';
import { lateralFactor, meanConcentration, plumeAt, type Bank } from './spill.js';
import { hash32, hashGauss, hashUnit, smoothNoise } from './random.js';
import type { Scenario } from './scenario.js';
import type { SimStation } from './stations.js';

/**
 * Signal model: every value is a pure function of (seed, scenario, station, metric, time).
 *
 * Typical values (domain-facts typical_sensor_ranges, copied): Yangtze and Han main stems mostly
 * GB 3838 class II (80 % / 83 %), some III; lakes mostly IV (TP, CODMn); DO ~10-11 mg/L in winter
 * and ~7.8 in summer; plausibility bounds at Wuhan (ESTIMATES): water 8-31 °C, conductivity
 * 200-450 µS/cm, turbidity 2-300 NTU, pH 7.0-8.6, DO 6-12 mg/L. PM2.5 annual means 2023 (derived):
 * Wuhan ≈ 38, Yichang ≈ 38, Xiangyang ≈ 47 µg/m³, Hubei 37; winter maxima (Jan-Apr 2023 mean 56),
 * summer minima, O3 the summer problem (Wuchang O3-8h 90th percentile 165 µg/m³ in May 2023).
 * GB 3838 class II limits: DO ≥ 6, CODMn ≤ 4, NH3-N ≤ 0.5, TP ≤ 0.1 mg/L (rivers).
 * Soil: relative soil moisture drought classes R > 60 % none … ≤ 30 % extreme (GB/T 32136);
 * heavy metals below the GB 15618-2018 screening values (pH 6.5-7.5, other land: Cd 0.3,
 * Hg 2.4, As 30, Pb 120, Cr 200, Cu 100, Ni 100, Zn 250 mg/kg).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TWO_PI = 2 * Math.PI;

/** PM2.5 annual means by city station (µg/m³, domain-facts air_PM25.city_2023_DERIVED). */
const PM25_MEAN: Record<string, number> = { 'air-wuhan': 38, 'air-yichang': 38, 'air-xiangyang': 47 };
const PM25_DEFAULT = 40;

/** Lake base levels (m), ESTIMATES ~1.5-2.5 m below the warning levels (Honghu 26.2, Liangzi 20.5). */
const LAKE: Record<string, { base: number; riverKm: number }> = {
  honghu: { base: 24.8, riverKm: 435 },
  liangzi: { base: 18.6, riverKm: 700 },
};

/** Soil heavy-metal backgrounds (mg/kg), below the GB 15618 screening values. ESTIMATES. */
const METAL_BACKGROUND: Partial<Record<MetricCode, number>> = { cd: 0.2, hg: 0.07, as: 11, pb: 28, cr: 72, cu: 30, ni: 34, zn: 85 };

const METRIC_SALT: Record<string, number> = Object.fromEntries(Object.keys(METRICS).map((m) => [m, hash32(m)]));

/** DO saturation (mg/L) at temperature T (°C), fresh water, 1 atm (APHA polynomial). */
export function doSaturation(T: number): number {
  return 14.652 - 0.41022 * T + 0.007991 * T * T - 0.000077774 * T * T * T;
}

const cosPhase = (x: number, peak: number, period: number) => Math.cos((TWO_PI * (x - peak)) / period);

export interface RainState {
  /** Rain in the reading interval ending at t, mm. */
  rain: number;
  /** Antecedent precipitation index (fast, τ = 2 d), mm. */
  api: number;
  /** Slow antecedent index for soil (τ = 10 d), mm. */
  apiSlow: number;
}

export class SignalModel {
  readonly river: RiverModel;
  private readonly rainCache = new Map<number | SimStation, { t: number; state: RainState }>();

  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
    /** Start of the run (scenario hours are relative to it). */
    readonly t0: number,
    /** Reading interval, ms (rainfall totals cover one interval). */
    readonly intervalMs: number,
  ) {
    this.river = new RiverModel(scenario, t0);
    this.ctx = new Ctx(this);
  }

  private readonly ctx: Ctx;

  doy(t: number): number {
    return this.scenario.seasonDoy ?? dayOfYear(t);
  }

  /** Fraction of summer in [0, 1]: 1 in mid-July, 0 in mid-January. */
  summer(t: number): number {
    return (1 + cosPhase(this.doy(t), 196, 365.25)) / 2;
  }

  // ---- rain -------------------------------------------------------------------------------

  /** Daily background rain of a 0.5° cell: wet-day chance, total (mm), start hour, duration (h). */
  private dayRain(cell: number, day: number, summer: number): { total: number; start: number; dur: number } | null {
    const pWet = 0.2 + 0.25 * summer;
    if (hashUnit(this.seed, cell, day, 1) >= pWet) return null;
    const mean = (4 + 14 * summer) * this.scenario.rainFactor;
    if (mean <= 0) return null;
    const total = -Math.log(Math.max(1e-9, hashUnit(this.seed, cell, day, 2))) * mean;
    return { total, start: day * DAY - 8 * HOUR + hashUnit(this.seed, cell, day, 3) * 20 * HOUR, dur: (2 + hashUnit(this.seed, cell, day, 4) * 8) * HOUR };
  }

  /** Rain (mm) of the background field and scenario events in [a, b] at a point. */
  private rainBetween(lon: number, lat: number, cell: number, a: number, b: number, summer: number): number {
    let mm = 0;
    const d0 = Math.floor((a + 8 * HOUR) / DAY);
    const d1 = Math.floor((b + 8 * HOUR) / DAY);
    for (let d = d0; d <= d1; d++) {
      const r = this.dayRain(cell, d, summer);
      if (!r) continue;
      const ov = Math.min(b, r.start + r.dur) - Math.max(a, r.start);
      if (ov > 0) mm += (r.total * ov) / r.dur;
    }
    for (const e of this.scenario.rain) {
      const f = taper(lon, lat, e.center, e.radiusKm);
      if (f <= 0) continue;
      const ov = Math.min(b, this.t0 + e.toH * HOUR) - Math.max(a, this.t0 + e.fromH * HOUR);
      if (ov > 0) mm += (e.mmPerHour * f * ov) / HOUR;
    }
    return mm;
  }

  rainState(st: SimStation, t: number): RainState {
    const cell = cellOf(st.lon, st.lat);
    const slow = st.station.kind === 'soil';
    // Without scenario rain events the rain is the background field's, the same in a whole 0.5°
    // cell: shared by the cell's stations (soil keeps a 30-day slow index too, so apart). Events
    // taper with the exact distance: then per station.
    const slot = this.scenario.rain.length > 0 ? st : slow ? -cell : cell;
    const cached = this.rainCache.get(slot);
    if (cached && cached.t === t) return cached.state;
    const summer = this.summer(t);
    const rain = this.rainBetween(st.lon, st.lat, cell, t - this.intervalMs, t, summer);
    let api = 0;
    let apiSlow = 0;
    const days = slow ? 30 : 6;
    for (let k = 0; k < days; k++) {
      const b = t - k * DAY;
      const mm = this.rainBetween(st.lon, st.lat, cell, b - DAY, b, summer);
      if (mm <= 0) continue;
      const age = k + 0.5;
      api += mm * Math.exp(-age / 2);
      if (slow) apiSlow += mm * Math.exp(-age / 10);
    }
    const state = { rain, api, apiSlow };
    this.rainCache.set(slot, { t, state });
    return state;
  }

  // ---- pollution --------------------------------------------------------------------------

  /**
   * Increase of a water-quality metric at a river point from the scenario's spills, at `bank`
   * (null: the cross-section mean). See spill.ts for the plume model.
   */
  spillIncrement(river: RiverName, km: number, metric: MetricCode, t: number, bank: Bank | null = null): number {
    let inc = 0;
    for (const s of this.scenario.spills) {
      const massT = s.massT[metric];
      const peak = s.peak[metric];
      if (massT === undefined && peak === undefined) continue;
      const r = route({ river: s.river, km: s.km }, { river, km });
      if (!r) continue;
      const p = plumeAt(s, r.km, river !== s.river, this.t0, t);
      if (!p) continue;
      const mean = massT !== undefined ? meanConcentration(massT, p, this.river.discharge(river, km, t)) : peak! * p.longitudinal * (s.river === 'Han' && river === 'Yangtze' ? meanFlow('Han', 652) / meanFlow('Yangtze', 624) : 1);
      inc += mean * (bank ? lateralFactor(p, bank, river) : 1);
    }
    return inc;
  }

  /** Multiplier of an air metric from the scenario's episodes (trapezoid in time, tapered in space). */
  airFactor(st: SimStation, metric: MetricCode, t: number): number {
    let f = 1;
    for (const e of this.scenario.airEpisodes) {
      const peak = e.factor[metric];
      if (peak === undefined) continue;
      const sp = taper(st.lon, st.lat, e.center, e.radiusKm);
      if (sp <= 0) continue;
      const a = this.t0 + e.fromH * HOUR;
      const b = this.t0 + e.toH * HOUR;
      const ramp = Math.max(1, e.rampH * HOUR);
      const w = t < a || t > b ? 0 : Math.min(1, (t - a) / ramp, (b - t) / ramp);
      f *= 1 + (peak - 1) * w * sp;
    }
    return f;
  }

  // ---- sampling ---------------------------------------------------------------------------

  /** All metric values of a station at time t, in the order of st.metrics (unrounded). */
  sample(st: SimStation, t: number, out: number[] = new Array<number>(st.metrics.length)): number[] {
    // One context, reset per sample (sample() is not re-entered while it runs).
    const ctx = this.ctx.reset(st, t, this.rainState(st, t));
    for (let i = 0; i < st.metrics.length; i++) {
      const m = st.metrics[i]!;
      const v = ctx.value(m);
      const def = METRICS[m];
      out[i] = v < def.validMin ? def.validMin : v > def.validMax ? def.validMax : v;
    }
    return out;
  }
}

/** Per-sample context: shared intermediate quantities (flow, temperature) computed once. */
class Ctx {
  // NaN, not undefined, for "not computed yet": the fields stay unboxed doubles.
  private q = Number.NaN;
  private wt = Number.NaN;
  private h = 0;
  private doy = 0;
  private summer = 0;
  private st!: SimStation;
  private t = 0;
  private rs!: RainState;

  constructor(private readonly m: SignalModel) {}

  reset(st: SimStation, t: number, rs: RainState): this {
    this.st = st;
    this.t = t;
    this.rs = rs;
    this.q = Number.NaN;
    this.wt = Number.NaN;
    this.h = (((t / HOUR + 8) % 24) + 24) % 24;
    this.doy = this.m.doy(t);
    this.summer = this.m.summer(t);
    return this;
  }

  private n(metric: MetricCode, periodH: number): number {
    return smoothNoise(this.st.key ^ this.m.seed, METRIC_SALT[metric]!, this.t, periodH * HOUR);
  }

  private white(metric: MetricCode): number {
    return hashGauss(this.st.key ^ this.m.seed, METRIC_SALT[metric]!, Math.floor(this.t / 1000), 7);
  }

  private isLake(): boolean {
    return this.st.station.kind === 'lake_gauge';
  }

  flow(): number {
    if (Number.isNaN(this.q)) {
      const { river, km, outlet } = this.st;
      this.q = outlet ? this.m.river.outletDischarge(outlet, this.t) : river && km !== null ? this.m.river.discharge(river, km, this.t) : 0;
    }
    return this.q;
  }

  /** Flow relative to the mean at this point (1 = mean annual flow). */
  private relFlow(): number {
    const { river, km } = this.st;
    if (!river || km === null) return 1;
    return this.flow() / meanFlow(river, km);
  }

  waterTemp(): number {
    if (Number.isNaN(this.wt)) {
      const amp = this.isLake() ? 1.2 : 0.3;
      this.wt = 18.5 + 9 * cosPhase(this.doy, 215, 365.25) + amp * cosPhase(this.h, 16, 24) + 0.3 * this.n('water_temp', 48);
    }
    return this.wt;
  }

  private spill(metric: MetricCode): number {
    const { river, km } = this.st;
    return river && km !== null && this.m.scenario.spills.length ? this.m.spillIncrement(river, km, metric, this.t, this.st.bank) : 0;
  }

  value(metric: MetricCode): number {
    const st = this.st;
    const lake = this.isLake();
    const api = this.rs.api;
    switch (metric) {
      case 'rainfall':
        return this.rs.rain;
      case 'discharge':
        return this.flow() * (1 + 0.005 * this.white(metric));
      case 'water_level': {
        if (st.station.kind === 'reservoir') {
          return this.m.river.reservoirLevel(st.id as 'three-gorges' | 'danjiangkou', this.t) + 0.02 * this.n(metric, 6);
        }
        if (lake) {
          const l = LAKE[st.id] ?? { base: (st.levels?.warning ?? 22) - 2, riverKm: 600 };
          const riverExcess = this.m.river.discharge('Yangtze', l.riverKm, this.t) - this.m.river.baseFlow('Yangtze', l.riverKm, this.t);
          return l.base + 0.6 * cosPhase(this.doy, 210, 365.25) + 0.004 * api + 0.00002 * riverExcess + this.m.scenario.lakeLevelOffsetM + 0.01 * this.n(metric, 12);
        }
        if (st.outlet) return this.m.river.outletStage(st.outlet, st.outlet.main, this.t) + 0.01 * this.white(metric);
        if (st.rating && st.river && st.km !== null) return this.m.river.stage({ id: st.id, river: st.river, km: st.km, rating: st.rating }, this.t) + 0.01 * this.white(metric);
        return (st.levels?.warning ?? 20) - 6;
      }
      case 'inflow':
        return this.m.river.reservoir(st.id as 'three-gorges' | 'danjiangkou', this.t).inflow * (1 + 0.01 * this.white(metric));
      case 'outflow':
        return this.m.river.reservoir(st.id as 'three-gorges' | 'danjiangkou', this.t).outflow;
      case 'water_temp':
        return this.waterTemp();
      case 'do': {
        const sat = doSaturation(this.waterTemp());
        const amp = lake ? 0.8 : 0.15;
        const organic = this.spill('codmn') * 0.25 + this.spill('nh3n') * 0.8;
        return (lake ? 0.9 : 0.93) * sat + amp * cosPhase(this.h, 15, 24) + 0.12 * this.n(metric, 12) - organic;
      }
      case 'ph':
        return (lake ? 8.05 : 7.85) + (lake ? 0.3 : 0.08) * cosPhase(this.h, 15, 24) + 0.04 * this.n(metric, 24) + this.spill(metric);
      case 'conductivity':
        return (lake ? 280 : 330) - 60 * Math.min(1.5, Math.max(-0.5, this.relFlow() - 1)) + 8 * this.n(metric, 24) + this.spill(metric);
      case 'turbidity': {
        const flood = Math.max(0, this.relFlow() - 0.6);
        return (lake ? 12 : 15) * (1 + 0.1 * this.n(metric, 12)) + 25 * flood ** 1.5 + (lake ? 1.5 : 2.5) * api + this.spill(metric);
      }
      case 'codmn':
        return (lake ? 4.4 : 2.0 + 0.6 * st.site) + 0.02 * api + 0.15 * this.n(metric, 24) + this.spill(metric);
      case 'cod':
        return (lake ? 18 : 10 + 3 * st.site) + 0.08 * api + 0.6 * this.n(metric, 24) + this.spill(metric);
      case 'nh3n':
        return (lake ? 0.32 : 0.16 + 0.12 * st.site) + 0.004 * api + 0.02 * this.n(metric, 24) + this.spill(metric);
      case 'tp':
        return (lake ? 0.075 : 0.055 + 0.025 * st.site) + 0.0015 * api + 0.004 * this.n(metric, 24) + this.spill(metric);
      case 'tn':
        return (lake ? 1.3 : 1.5 + 0.3 * st.site) + 0.01 * api + 0.05 * this.n(metric, 24) + this.spill(metric);
      // ---- air ------------------------------------------------------------------------------
      case 'pm25':
      case 'pm10': {
        const mean = PM25_MEAN[st.id] ?? PM25_DEFAULT * (0.85 + 0.3 * st.site);
        const seasonal = 1 + 0.45 * cosPhase(this.doy, 15, 365.25);
        const diurnal = 1 + 0.15 * cosPhase(this.h, 9, 12);
        const washout = 0.6 + 0.4 * Math.exp(-api / 10);
        const synoptic = Math.exp(0.25 * smoothNoise(st.key ^ this.m.seed, 11, this.t, 36 * HOUR));
        const pm25 = mean * seasonal * diurnal * washout * synoptic * this.m.airFactor(st, 'pm25', this.t);
        if (metric === 'pm25') return pm25 * (1 + 0.03 * this.white(metric));
        return pm25 * (1.6 + 0.08 * this.n(metric, 12)) * (this.m.airFactor(st, 'pm10', this.t) / this.m.airFactor(st, 'pm25', this.t));
      }
      case 'no2':
        return 36 * (1 + 0.2 * cosPhase(this.doy, 15, 365.25)) * (1 + 0.3 * cosPhase(this.h, 8.5, 12)) * Math.exp(0.15 * this.n(metric, 24)) * this.m.airFactor(st, metric, this.t);
      case 'o3': {
        const seasonal = 55 + 35 * cosPhase(this.doy, 165, 365.25);
        const diurnal = Math.max(0.15, 1 + 0.7 * cosPhase(this.h, 15, 24));
        return seasonal * diurnal * (0.75 + 0.25 * Math.exp(-api / 10)) * Math.exp(0.15 * this.n(metric, 36)) * this.m.airFactor(st, metric, this.t);
      }
      case 'so2':
        return 9 * (1 + 0.3 * cosPhase(this.doy, 15, 365.25)) * Math.exp(0.2 * this.n(metric, 24)) * this.m.airFactor(st, metric, this.t);
      case 'co':
        return 0.75 * (1 + 0.25 * cosPhase(this.doy, 15, 365.25)) * (1 + 0.15 * cosPhase(this.h, 9, 12)) * Math.exp(0.1 * this.n(metric, 24)) * this.m.airFactor(st, metric, this.t);
      case 'air_temp':
        return 17 + 11 * cosPhase(this.doy, 200, 365.25) + 4 * cosPhase(this.h, 14.5, 24) + 1.5 * this.n(metric, 48) - Math.min(3, this.rs.rain);
      case 'humidity':
        return Math.min(100, 74 - 12 * cosPhase(this.h, 14.5, 24) + Math.min(18, api) + 4 * this.n(metric, 24));
      case 'pressure': // kPa: ~102.3 in winter, ~100.0 in summer at Wuhan's altitude
        return 101.15 + 1.15 * cosPhase(this.doy, 15, 365.25) - 0.1 * cosPhase(this.h, 16, 12) + 0.3 * this.n(metric, 72);
      case 'wind_speed': // m/s, stronger in the afternoon
        return Math.max(0, 2.2 + 0.8 * cosPhase(this.h, 15, 24) + 1.2 * this.n(metric, 6));
      case 'wind_dir': // degrees: northerly in winter, southerly in summer monsoon
        return (((180 - 150 * cosPhase(this.doy, 15, 365.25) + 40 * this.n(metric, 12)) % 360) + 360) % 360;
      // ---- soil -----------------------------------------------------------------------------
      case 'soil_moisture': {
        const fc = 34 + 4 * st.site;
        const r = 0.28 + 0.62 * (1 - Math.exp(-this.rs.apiSlow / 60)) - 0.06 * this.summer + 0.02 * this.n(metric, 72);
        return 10 + (fc - 10) * Math.max(0.1, Math.min(1.05, r));
      }
      case 'soil_temp':
        return 17 + 9 * cosPhase(this.doy, 210, 365.25) + 2.5 * cosPhase(this.h, 16, 24) + 0.3 * this.n(metric, 48);
      case 'soil_ph':
        return this.soilPh() + 0.02 * this.n(metric, 24 * 30);
      default: {
        const bg = METAL_BACKGROUND[metric];
        if (bg === undefined) return 0;
        const siteF = 0.7 + 0.7 * hashUnit(st.key, METRIC_SALT[metric]!);
        // Cd and Zn are more mobile in acid soils: the measured (available) share rises as pH falls.
        const phF = metric === 'cd' || metric === 'zn' ? 1 + 0.15 * (7 - this.soilPh()) : 1;
        const years = (this.t - Date.UTC(2020, 0, 1)) / (365.25 * DAY);
        return bg * siteF * phF * (1 + 0.01 * years) * (1 + 0.02 * this.n(metric, 24 * 30));
      }
    }
  }

  private soilPh(): number {
    return 6.2 + 1.8 * this.st.site;
  }
}

function cellOf(lon: number, lat: number): number {
  return (Math.floor(lon * 2) + 1000) * 10000 + Math.floor(lat * 2) + 1000;
}

/** Round to the metric's display precision plus one digit. */
export function roundValue(metric: MetricCode, v: number): number {
  const p = POW[METRICS[metric].precision + 1]!;
  return Math.round(v * p) / p;
}
const POW = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7];
