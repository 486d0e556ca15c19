import type { Severity, WaterClass } from '@basin/schemas';
import type { BasinModel } from '../model/network.js';
import { floodStatus, worseColour, type FloodStatus } from '../standards/flood.js';
import { sectionClass, worseClass, type Gb3838Item } from '../standards/gb3838.js';
import { aqi, hj633VersionAt, type AqiInput } from '../standards/hj633.js';
import type { LiveState, StationState } from './live.js';

/** What the command-centre wall shows of one station: values classified under the standards. */
export type StationView = {
  station: string;
  kind: string;
  reach: string | null;
  online: boolean;
  ageS: number | null;
  metrics: Record<string, { value: number; time: string; quality: string; trendPerH: number | null; ageS: number }>;
  waterClass: WaterClass | null;
  flood: FloodStatus | null;
  aqi: { aqi: number; category: string; colour: string; primary: string[]; version: string } | null;
};

const WATER_ITEMS: readonly Gb3838Item[] = ['ph', 'do', 'codmn', 'cod', 'nh3n', 'tp', 'tn'];
const AIR_HOURLY: readonly [AqiInput['pollutant'], AqiInput['averaging']][] = [['pm25', '1h'], ['pm10', '1h'], ['so2', '1h'], ['no2', '1h'], ['co', '1h'], ['o3', '1h']];

export function stationView(model: BasinModel, s: StationState, now: number): StationView {
  const info = model.stationInfo.get(s.station);
  const metrics: StationView['metrics'] = {};
  for (const [k, m] of s.metrics) metrics[k] = { value: m.value, time: new Date(m.ts).toISOString(), quality: m.quality, trendPerH: m.trendPerH, ageS: Math.round((now - m.ts) / 1000) };
  const waterValues: Partial<Record<Gb3838Item, number>> = {};
  for (const item of WATER_ITEMS) {
    const m = s.metrics.get(item as never);
    if (m && m.quality !== 'fail') waterValues[item] = m.value;
  }
  const body = info?.kind === 'reservoir' || info?.kind === 'lake_gauge' || info?.lake ? 'lake_reservoir' : 'river';
  const wc = Object.keys(waterValues).length ? sectionClass(waterValues, body).class : null;
  const ref = model.references.get(s.station);
  const level = s.metrics.get('water_level');
  const flood = ref && level ? floodStatus(ref, level.value, level.ts) : null;
  let air: StationView['aqi'] = null;
  if (info?.kind === 'air_quality') {
    const inputs: AqiInput[] = [];
    let ts = 0;
    for (const [p, avg] of AIR_HOURLY) {
      const m = s.metrics.get(p);
      if (m && m.quality !== 'fail') {
        inputs.push({ pollutant: p, averaging: avg, value: m.value });
        ts = Math.max(ts, m.ts);
      }
    }
    const r = inputs.length ? aqi(hj633VersionAt(ts), inputs) : null;
    if (r) air = { aqi: r.aqi, category: r.category.category, colour: r.category.colour, primary: r.primary, version: r.version };
  }
  return {
    station: s.station,
    kind: info?.kind ?? 'unknown',
    reach: model.stations.get(s.station)?.reach ?? null,
    online: s.online,
    ageS: s.lastTs === null ? null : Math.round((now - s.lastTs) / 1000),
    metrics,
    waterClass: wc,
    flood,
    aqi: air,
  };
}

export type AreaSummary = {
  stations: number;
  online: number;
  /** Stations whose newest reading is older than the staleness limit (readings behind). */
  behind: number;
  /** Oldest newest-reading age among the online stations, s. */
  maxLagS: number | null;
  worstWaterClass: WaterClass | null;
  floodColour: Severity | null;
  floodGauges: { station: string; state: string; colour: Severity | null }[];
  aqiByCity: Record<string, { aqi: number; category: string; colour: string }>;
};

function summarise(model: BasinModel, views: StationView[], staleMs: number): AreaSummary {
  const out: AreaSummary = { stations: views.length, online: 0, behind: 0, maxLagS: null, worstWaterClass: null, floodColour: null, floodGauges: [], aqiByCity: {} };
  for (const v of views) {
    if (v.online) {
      out.online++;
      if (v.ageS !== null) out.maxLagS = Math.max(out.maxLagS ?? 0, v.ageS);
    }
    if (v.ageS === null || v.ageS * 1000 >= staleMs) out.behind++;
    out.worstWaterClass = worseClass(out.worstWaterClass, v.waterClass);
    if (v.flood) {
      out.floodColour = worseColour(out.floodColour, v.flood.colour);
      out.floodGauges.push({ station: v.station, state: v.flood.state, colour: v.flood.colour });
    }
    if (v.aqi) {
      const city = model.stationInfo.get(v.station)?.jurisdiction.admin ?? v.station;
      out.aqiByCity[city] = { aqi: v.aqi.aqi, category: v.aqi.category, colour: v.aqi.colour };
    }
  }
  return out;
}

/** Per-reach and whole-basin summaries of the live state (stations of the registry without readings count as behind). */
export function basinSummary(model: BasinModel, state: LiveState, now: number): { basin: AreaSummary; reaches: Record<string, AreaSummary & { river: string; fromKm: number; toKm: number }> } {
  const views = new Map<string, StationView>();
  for (const id of model.stationInfo.keys()) {
    const s = state.stations.get(id) ?? { station: id, metrics: new Map(), lastTs: null, changedAt: 0, device: null, online: false };
    views.set(id, stationView(model, s, now));
  }
  const reaches: Record<string, AreaSummary & { river: string; fromKm: number; toKm: number }> = {};
  for (const r of model.reaches.values()) {
    const vs = model.stationsOf(r.id).map((id) => views.get(id)!).filter(Boolean);
    reaches[r.id] = { river: r.river, fromKm: r.fromKm, toKm: r.toKm, ...summarise(model, vs, state.opts.staleMs) };
  }
  return { basin: summarise(model, [...views.values()], state.opts.staleMs), reaches };
}
