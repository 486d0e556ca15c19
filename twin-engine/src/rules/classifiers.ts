import type { MetricCode, Severity, Station } from '@basin/schemas';
import { levelOf, referenceOf, type GaugeReference } from '../model/levels.js';
import { classifyWater, isGb3838Item } from '../standards/gb3838.js';
import { aqi, hj633VersionAt, isAirPollutant, type AqiInput } from '../standards/hj633.js';
import type { Classifiers, ColourLevels, RuleStation } from './types.js';

/**
 * The rule engine's classifiers, from the standards tables (one place for every limit):
 * GB 3838-2002 per parameter (lake/reservoir limits at lake gauges and reservoirs), HJ 633 AQI
 * category (2012 before 2026-03-01, 2026 after; hourly values), and the SL 758 colour thresholds of
 * each gauge's reference levels — river gauges by 警戒 / 保证 / historical maximum (blue from
 * `nearWarningM` below warning), reservoirs by their own kinds (blue above the seasonal 汛限, yellow
 * above 正常蓄水, orange at 防洪高), never by river-gauge kinds.
 */
export function standardsClassifiers(stations: () => ReadonlyMap<string, Station>): Classifiers {
  const refs = new Map<string, GaugeReference | null>();
  const refOf = (id: string): GaugeReference | null => {
    if (!refs.has(id)) {
      const st = stations().get(id);
      refs.set(id, st ? referenceOf(st) : null);
    }
    return refs.get(id) ?? null;
  };
  return {
    waterClass: (st: RuleStation, metric: MetricCode, value: number) => {
      if (!isGb3838Item(metric)) return null;
      const body = st.kind === 'reservoir' || st.kind === 'lake_gauge' ? 'lake_reservoir' : 'river';
      return classifyWater(metric, value, body)?.class ?? null;
    },
    aqiCategory: (_st, values, ts) => {
      const inputs: AqiInput[] = [];
      for (const [m, v] of Object.entries(values)) if (isAirPollutant(m) && v !== undefined) inputs.push({ pollutant: m, averaging: '1h', value: v });
      return aqi(hj633VersionAt(ts), inputs)?.category.level ?? null;
    },
    floodLevels: (st, ts) => colourLevels(refOf(st.id), ts),
  };
}

/** SL 758 colour thresholds of one gauge at time `ts`. */
export function colourLevels(ref: GaugeReference | null, ts: number): ColourLevels {
  if (!ref) return {};
  const out: Partial<Record<Severity, number>> = {};
  const set = (c: Severity, v: number | null) => {
    if (v !== null) out[c] = v;
  };
  if (ref.type === 'river') {
    const warning = levelOf(ref, 'warning', ts);
    set('blue', warning === null ? null : warning - ref.nearWarningM);
    set('yellow', warning);
    set('orange', levelOf(ref, 'guaranteed', ts));
    set('red', levelOf(ref, 'historical_max', ts));
  } else {
    // "above" the flood limit and normal pool: a hair over the level (a reservoir held at it is normal)
    const limit = levelOf(ref, 'flood_limit', ts);
    const normal = levelOf(ref, 'normal_pool', ts);
    set('blue', limit === null ? null : limit + 0.01);
    set('yellow', normal === null ? null : normal + 0.01);
    set('orange', levelOf(ref, 'flood_control_high', ts));
  }
  return out;
}
