import {
  BASIN_STATIONS,
  METRICS,
  riverPoint,
  Station,
  STATION_BY_ID,
  type GaugeLevels,
  type Medium,
  type MetricCode,
  type StationInput,
} from '@basin/schemas';
import { GAUGE_HYDRAULICS, hydraulicsAt, OUTLET_GAUGES, ratingFor, type GaugeHydraulics, type OutletGauge, type Rating, type RiverName } from './hydro.js';
import { hash32, hashUnit } from './random.js';
import type { Bank } from './spill.js';

/**
 * The simulated station set: the real catalogue (schemas/src/catalogue) first, then synthetic
 * stations placed along the Yangtze and Han lines (deterministic from the seed) up to the
 * requested count. Each station gets a gateway (a field data logger serving a stretch of river
 * or a city) and precomputed model parameters.
 */

const HYDRO: MetricCode[] = ['water_level', 'discharge', 'rainfall'];
const WQ: MetricCode[] = ['water_temp', 'ph', 'do', 'conductivity', 'turbidity', 'codmn', 'nh3n', 'tp', 'tn'];
const AIR: MetricCode[] = ['pm25', 'pm10', 'so2', 'no2', 'co', 'o3', 'air_temp', 'humidity', 'rainfall'];
const SOIL: MetricCode[] = ['soil_moisture', 'soil_temp', 'soil_ph', 'cd', 'hg', 'as', 'pb', 'cr', 'cu', 'ni', 'zn'];

/** Stations served by one synthetic gateway. */
export const STATIONS_PER_GATEWAY = 50;

export interface MediumGroup {
  medium: Medium;
  /** Indexes into the station's metrics. */
  idx: number[];
  topic: string;
}

export interface SimStation {
  station: Station;
  id: string;
  /** Stable 32-bit key (hash of the id). */
  key: number;
  metrics: MetricCode[];
  groups: MediumGroup[];
  gateway: string;
  lon: number;
  lat: number;
  river: RiverName | null;
  km: number | null;
  /** Rating curve of hydrology gauges. */
  rating: Rating | null;
  hydraulics: GaugeHydraulics | null;
  levels: GaugeLevels | null;
  /** Per-site factor in [0, 1) for site-specific baselines. */
  site: number;
  /** Bank of a river station (facing downstream), null when unknown (taken as mid-river). */
  bank: Bank | null;
  /** A lake outlet gauge (off the main stem): its outlet and the main-stem gauge that backs it up. */
  outlet: (OutletGauge & { main: { id: string; river: RiverName; km: number; rating: Rating } }) | null;
}

/**
 * Banks known from the facts (domain-facts monitoring_sites.wuhan_drinking_water_intakes:
 * 白沙洲 "Yangtze south bank"; Wuchang side = right bank of the north-east flowing Yangtze;
 * 宗关 is on the Han's north bank = left bank facing downstream).
 */
const KNOWN_BANKS: Record<string, Bank> = { 'intake-baishazhou': 'right', 'intake-yujiatou': 'right', 'intake-zongguan': 'left' };
/** A station farther than this from the river line has no bank we can trust. */
const BANK_MAX_OFF_KM = 3;

/** Bank of a station: the catalogue's (as the twin reads it), else from its position relative to the river line (left = left of the flow). */
export function bankOf(s: Station): Bank | null {
  const known = KNOWN_BANKS[s.id] ?? s.bank;
  if (known) return known;
  if ((s.river !== 'Yangtze' && s.river !== 'Han') || s.riverKm === null) return null;
  const [xa, ya] = riverPoint(s.river, s.riverKm - 1);
  const [xb, yb] = riverPoint(s.river, s.riverKm + 1);
  const [xp, yp] = riverPoint(s.river, s.riverKm);
  const c = Math.cos((yp * Math.PI) / 180);
  const ox = (s.location.lon - xp) * c;
  const oy = s.location.lat - yp;
  if (Math.hypot(ox, oy) * 111 > BANK_MAX_OFF_KM || Math.hypot(ox, oy) < 1e-6) return null;
  return (xb - xa) * c * oy - (yb - ya) * ox > 0 ? 'left' : 'right';
}

function levelsOf(id: string): GaugeLevels | null {
  return STATION_BY_ID.get(id)?.levels ?? null;
}

/** The outlet of a lake outlet gauge with the rating of its main-stem gauge (null for other stations). */
function outletOf(id: string): SimStation['outlet'] {
  const o = OUTLET_GAUGES[id];
  const g = o ? GAUGE_HYDRAULICS[o.mainGauge] : undefined;
  if (!o || !g) return null;
  const warning = levelsOf(o.mainGauge)?.warning ?? g.hMean + 8;
  return { ...o, main: { id: o.mainGauge, river: g.river, km: g.km, rating: ratingFor(g, warning) } };
}

/** Synthetic stations, deterministic from the seed. */
export function syntheticStations(count: number, seed: number): Station[] {
  const out: Station[] = [];
  for (let i = 0; i < count; i++) {
    const u = (k: number) => hashUnit(seed, i, k);
    const river: RiverName = u(1) < 0.7 ? 'Yangtze' : 'Han';
    const km = river === 'Yangtze' ? Math.round((-30 + u(2) * 900) * 10) / 10 : Math.round((5 + u(2) * 640) * 10) / 10;
    const [lon, lat] = riverPoint(river, km);
    const kindDraw = u(3);
    const kind: StationInput['kind'] = kindDraw < 0.45 ? 'hydrology_gauge' : kindDraw < 0.85 ? 'water_quality' : kindDraw < 0.95 ? 'air_quality' : 'soil';
    const onBank = kind === 'air_quality' || kind === 'soil';
    // Off-river stations sit a few km from the bank.
    const offset = onBank ? 0.02 + u(4) * 0.05 : 0;
    const id = `syn-${String(i + 1).padStart(5, '0')}`;
    const levels = kind === 'hydrology_gauge' ? hydraulicsAt(river, km, levelsOf).levels : null;
    const typeName = { hydrology_gauge: ['水位站', 'gauge'], water_quality: ['水质站', 'water-quality station'], air_quality: ['空气站', 'air station'], soil: ['土壤点', 'soil site'] } as const;
    const [zh, en] = typeName[kind as keyof typeof typeName];
    out.push(
      Station.parse({
        id,
        name: { zh: `模拟${river === 'Yangtze' ? '长江' : '汉江'}${km}公里${zh}`, en: `Synthetic ${river} km ${km} ${en}` },
        kind,
        location: { lon: Math.round((lon + offset) * 1e5) / 1e5, lat: Math.round((lat + offset) * 1e5) / 1e5, elevation: null, approximate: true },
        river: onBank ? null : river,
        riverKm: onBank ? null : km,
        metrics: kind === 'hydrology_gauge' ? HYDRO : kind === 'water_quality' ? WQ : kind === 'air_quality' ? AIR : SOIL,
        jurisdiction: { admin: '湖北省', owner: 'basin-twin sensors-sim', riverChief: null },
        levels,
        synthetic: true,
        source: `sensors-sim synthetic station (seed ${seed}), placed on the Natural Earth ${river} line at catalogue km ${km}`,
      }),
    );
  }
  return out;
}

/** Gateway of a station: real stations by owner region, synthetic ones by river stretch. */
function gatewayOf(s: Station, index: number): string {
  if (!s.synthetic) {
    if (s.kind === 'air_quality' || s.kind === 'soil') return `gw-${s.kind === 'air_quality' ? 'air' : 'soil'}-hubei`;
    if (s.river === 'Han') return 'gw-han';
    if (s.river === 'Yangtze') return (s.riverKm ?? 0) < 300 ? 'gw-yangtze-upper' : 'gw-yangtze-lower';
    return 'gw-lakes';
  }
  return `gw-syn-${String(Math.floor(index / STATIONS_PER_GATEWAY)).padStart(4, '0')}`;
}

function groupsOf(id: string, metrics: MetricCode[]): MediumGroup[] {
  const by = new Map<Medium, number[]>();
  metrics.forEach((m, i) => {
    const medium = METRICS[m].medium;
    const list = by.get(medium) ?? [];
    list.push(i);
    by.set(medium, list);
  });
  return [...by].map(([medium, idx]) => ({ medium, idx, topic: `basin/v1/readings/${medium}/${id}` }));
}

export function toSimStation(s: Station, index: number): SimStation {
  const river = s.river === 'Yangtze' || s.river === 'Han' ? s.river : null;
  let hydraulics: GaugeHydraulics | null = null;
  let rating: Rating | null = null;
  if (s.kind === 'hydrology_gauge' && river && s.riverKm !== null) {
    hydraulics = GAUGE_HYDRAULICS[s.id] ?? hydraulicsAt(river, s.riverKm, levelsOf).g;
    const warning = s.levels?.warning ?? hydraulics.hMean + 8;
    rating = ratingFor(hydraulics, warning);
  }
  const key = hash32(s.id);
  return {
    station: s,
    id: s.id,
    key,
    metrics: [...s.metrics],
    groups: groupsOf(s.id, [...s.metrics]),
    gateway: gatewayOf(s, index),
    lon: s.location.lon,
    lat: s.location.lat,
    river,
    km: s.riverKm,
    rating,
    hydraulics,
    levels: s.levels,
    site: (key % 10007) / 10007,
    // Synthetic stations sit on the line itself: a bank by their key.
    bank: s.kind !== 'water_quality' && s.kind !== 'water_intake' ? null : s.synthetic ? (key & 1 ? 'left' : 'right') : bankOf(s),
    outlet: s.kind === 'hydrology_gauge' ? outletOf(s.id) : null,
  };
}

/**
 * The first `count` stations: the real catalogue (in catalogue order), then synthetic ones.
 * `count` undefined means the real catalogue plus `extraSynthetic`.
 */
export function selectStations(opts: { count?: number; extraSynthetic?: number; seed: number; base?: readonly Station[] }): SimStation[] {
  const base = opts.base ?? BASIN_STATIONS;
  const total = opts.count ?? base.length + (opts.extraSynthetic ?? 0);
  const real = base.slice(0, total);
  const synthetic = syntheticStations(Math.max(0, total - real.length), opts.seed);
  return [...real, ...synthetic].map((s, i) => toSimStation(s, i));
}
