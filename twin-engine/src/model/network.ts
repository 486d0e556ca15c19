import { riverKmOf, isRiverWithAxis, type Station } from '@basin/schemas';
import { referenceOf, type GaugeReference } from './levels.js';

/**
 * The basin as a directed river network (pure, no I/O): the Yangtze main stem and the Han on the
 * Natural Earth lines of the catalogue (river-km from published channel lengths), cut into reaches
 * at dams, gauges and confluences. The Han joins the Yangtze at Wuhan (Yangtze km 624, Han km
 * 652); the Dongting outlet joins at Chenglingji and the Qing River at Yidu (inflow nodes: no
 * Natural Earth line in the repository for the Qing, Dongting's rivers end in the lake).
 */
export type RiverName = 'Yangtze' | 'Han';
export interface RiverPoint {
  river: RiverName;
  km: number;
}

export type NodeKind = 'dam' | 'gauge' | 'confluence' | 'inflow' | 'end';
export interface BasinNode extends RiverPoint {
  id: string;
  kind: NodeKind;
  name: string;
  /** For confluences: the river joining here and its km at the mouth. */
  joins?: RiverPoint;
  station?: string;
}

export interface Reach {
  id: string;
  river: RiverName;
  from: string;
  to: string;
  fromKm: number;
  toKm: number;
  lengthKm: number;
  /** Flood-wave travel time through the reach, h (from the celerity table: ESTIMATE). */
  travelH: number;
  /** Reaches flowing into this one (upstream on the same river and joining tributaries). */
  upstream: string[];
  downstream: string | null;
  admin: string[];
  riverChiefs: string[];
}

export interface Reservoir {
  station: string;
  name: string;
  at: RiverPoint;
  /** Storage–level relation: storage (m³) = areaM2 × (level − refLevel) + refStorage. */
  areaM2: number;
  refLevel: number;
  refStorageM3: number;
  source: string;
}

export interface SnappedStation {
  id: string;
  kind: Station['kind'];
  river: RiverName;
  km: number;
  reach: string;
}

/** Flood-wave celerity by river-km segment (km/h). ESTIMATES from published travel times. */
export interface CelerityTable {
  Yangtze: [fromKm: number, kmh: number][];
  Han: [fromKm: number, kmh: number][];
}

/**
 * Defaults (domain-facts flood_and_pollutant_travel, all ESTIMATES, configurable):
 * Three Gorges dam -> Shashi (192 km) ~1.5 d => 5.3 km/h; Yichang -> Hankou (624 km) ~4 d, less
 * Yichang -> Shashi, => 7.0 km/h from Shashi to Hankou; below Hankou 6.5 km/h (624 km / 96 h);
 * Han: 4.3 km/h (~1.2 m/s, flow velocity 0.5–1.0 m/s per domain-facts).
 */
export const DEFAULT_CELERITY: CelerityTable = {
  Yangtze: [[-Infinity, 192 / 36], [148, 476 / (96 - 148 / (192 / 36))], [624, 6.5]],
  Han: [[-Infinity, 4.3]],
};

export const HAN_MOUTH: { han: RiverPoint; yangtze: RiverPoint } = { han: { river: 'Han', km: 652 }, yangtze: { river: 'Yangtze', km: 624 } };

// Yangtze: to Hukou, 955 km below Yichang (domain-facts distances).
const RIVER_END: Record<RiverName, number> = { Yangtze: 955, Han: 652 };
const RIVER_START: Record<RiverName, number> = { Yangtze: -44, Han: 0 };

/** Fixed nodes: dams, confluences and inflows (domain-facts dams_reservoirs, distances). */
function fixedNodes(): BasinNode[] {
  const gezhouba = riverKmOf('Yangtze', [111.2722, 30.7397]).km;
  const yidu = riverKmOf('Yangtze', [111.45, 30.39]).km;
  return [
    { id: 'three-gorges-dam', kind: 'dam', name: 'Three Gorges dam 三峡', river: 'Yangtze', km: -44, station: 'three-gorges' },
    { id: 'gezhouba-dam', kind: 'dam', name: 'Gezhouba dam 葛洲坝', river: 'Yangtze', km: Math.round(gezhouba * 10) / 10 },
    { id: 'qing-mouth', kind: 'inflow', name: 'Qing River mouth at Yidu 清江口', river: 'Yangtze', km: Math.round(yidu * 10) / 10 },
    { id: 'dongting-outlet', kind: 'inflow', name: 'Dongting outlet at Chenglingji 城陵矶', river: 'Yangtze', km: 400 },
    { id: 'han-mouth', kind: 'confluence', name: 'Han mouth at Wuhan 汉口', river: 'Yangtze', km: 624, joins: HAN_MOUTH.han },
    { id: 'danjiangkou-dam', kind: 'dam', name: 'Danjiangkou dam 丹江口', river: 'Han', km: 0, station: 'danjiangkou' },
    { id: 'han-end', kind: 'end', name: 'Han mouth', river: 'Han', km: 652 },
    { id: 'yangtze-end', kind: 'end', name: 'Hukou (Poyang outlet)', river: 'Yangtze', km: RIVER_END.Yangtze },
  ];
}

/** Reservoirs with a linear storage–level relation (domain-facts dams_reservoirs). */
export const RESERVOIRS: readonly Reservoir[] = [
  // Flood-control storage 22.15 km³ between 145 m and 175 m => 7.38e8 m² (derived).
  { station: 'three-gorges', name: 'Three Gorges 三峡', at: { river: 'Yangtze', km: -44 }, areaM2: 22.15e9 / 30, refLevel: 145, refStorageM3: 39.3e9 - 22.15e9, source: 'domain-facts: total 39.3 km³, flood-control 22.15 km³ (145–175 m); linear, derived' },
  // 29.05 km³ at 170 m, 17.45 km³ at 157 m => 8.92e8 m² (derived).
  { station: 'danjiangkou', name: 'Danjiangkou 丹江口', at: { river: 'Han', km: 0 }, areaM2: (29.05e9 - 17.45e9) / 13, refLevel: 157, refStorageM3: 17.45e9, source: 'domain-facts: 29.05 km³ at 170 m, 17.45 km³ at 157 m; linear, derived' },
];

export function storageAt(r: Reservoir, level: number): number {
  return r.refStorageM3 + r.areaM2 * (level - r.refLevel);
}
export function levelAt(r: Reservoir, storageM3: number): number {
  return r.refLevel + (storageM3 - r.refStorageM3) / r.areaM2;
}

export class BasinModel {
  readonly nodes = new Map<string, BasinNode>();
  readonly reaches = new Map<string, Reach>();
  readonly stations = new Map<string, SnappedStation>();
  readonly references = new Map<string, GaugeReference>();
  readonly stationInfo = new Map<string, Station>();
  private readonly byReach = new Map<string, string[]>();
  private readonly reachList: Record<RiverName, Reach[]> = { Yangtze: [], Han: [] };

  constructor(
    stations: readonly Station[],
    readonly celerity: CelerityTable = DEFAULT_CELERITY,
  ) {
    for (const n of fixedNodes()) this.nodes.set(n.id, n);
    const snapped: Omit<SnappedStation, 'reach'>[] = [];
    for (const s of stations) {
      this.stationInfo.set(s.id, s);
      const ref = referenceOf(s);
      if (ref) this.references.set(s.id, ref);
      const p = snapStation(s);
      if (!p) continue;
      snapped.push({ id: s.id, kind: s.kind, ...p });
      if (s.kind === 'hydrology_gauge') this.nodes.set(`gauge:${s.id}`, { id: `gauge:${s.id}`, kind: 'gauge', name: s.name.en, ...p, station: s.id });
    }
    for (const river of ['Yangtze', 'Han'] as const) this.buildReaches(river, stations);
    this.linkReaches();
    for (const s of snapped) {
      const reach = this.reachAt(s);
      this.stations.set(s.id, { ...s, reach: reach.id });
      const list = this.byReach.get(reach.id) ?? [];
      list.push(s.id);
      this.byReach.set(reach.id, list);
    }
    for (const list of this.byReach.values()) list.sort((a, b) => this.stations.get(a)!.km - this.stations.get(b)!.km);
  }

  private buildReaches(river: RiverName, stations: readonly Station[]): void {
    const nodes = [...this.nodes.values()].filter((n) => n.river === river).sort((a, b) => a.km - b.km || Number(a.kind === 'gauge') - Number(b.kind === 'gauge') || a.id.localeCompare(b.id));
    // Nodes at the same km (a gauge at a confluence): keep the confluence, cut once.
    const cuts = nodes.filter((n, i) => i === 0 || n.km > nodes[i - 1]!.km);
    if (cuts[0]!.km > RIVER_START[river]) cuts.unshift({ id: `${river.toLowerCase()}-start`, kind: 'end', name: `${river} start`, river, km: RIVER_START[river] });
    const info = new Map(stations.map((s) => [s.id, s]));
    for (let i = 1; i < cuts.length; i++) {
      const a = cuts[i - 1]!;
      const b = cuts[i]!;
      const id = `${river.toLowerCase()}:${nodeSlug(a)}-${nodeSlug(b)}`;
      const reach: Reach = { id, river, from: a.id, to: b.id, fromKm: a.km, toKm: b.km, lengthKm: b.km - a.km, travelH: this.hoursBetween(river, a.km, b.km), upstream: [], downstream: null, admin: [], riverChiefs: [] };
      this.reaches.set(id, reach);
      this.reachList[river].push(reach);
    }
    // Jurisdiction of a reach: the admin units and river chiefs of the stations on it.
    for (const s of stations) {
      const p = snapStation(s);
      if (!p || p.river !== river) continue;
      const r = this.reachAt(p);
      const st = info.get(s.id)!;
      if (!r.admin.includes(st.jurisdiction.admin)) r.admin.push(st.jurisdiction.admin);
      if (st.jurisdiction.riverChief && !r.riverChiefs.includes(st.jurisdiction.riverChief)) r.riverChiefs.push(st.jurisdiction.riverChief);
    }
  }

  private linkReaches(): void {
    for (const river of ['Yangtze', 'Han'] as const) {
      const list = this.reachList[river];
      for (let i = 0; i < list.length; i++) {
        if (i > 0) list[i]!.upstream.push(list[i - 1]!.id);
        list[i]!.downstream = list[i + 1]?.id ?? null;
      }
    }
    const han = this.reachList.Han;
    const lastHan = han[han.length - 1]!;
    const below = this.reachAt({ river: 'Yangtze', km: HAN_MOUTH.yangtze.km });
    lastHan.downstream = below.id;
    below.upstream.push(lastHan.id);
  }

  /** The reach containing a river point (a point at a cut belongs to the reach below it). */
  reachAt(p: RiverPoint): Reach {
    const list = this.reachList[p.river];
    for (const r of list) if (p.km < r.toKm) return r;
    return list[list.length - 1]!;
  }

  reachOf(station: string): Reach | null {
    const s = this.stations.get(station);
    return s ? this.reaches.get(s.reach)! : null;
  }

  stationsOf(reach: string): string[] {
    return this.byReach.get(reach) ?? [];
  }

  /** Flood-wave travel time along one river between two km, h. */
  hoursBetween(river: RiverName, fromKm: number, toKm: number): number {
    const table = this.celerity[river];
    let h = 0;
    for (let i = 0; i < table.length; i++) {
      const lo = Math.max(fromKm, table[i]![0]);
      const hi = Math.min(toKm, table[i + 1]?.[0] ?? Infinity);
      if (hi > lo) h += (hi - lo) / table[i]![1];
    }
    return h;
  }

  /**
   * Channel distance (km) and flood travel time (h) from `a` down to `b`, or null when `b` is not
   * downstream of `a`. `velocityKmh` replaces the flood celerity (pollutant advection).
   */
  path(a: RiverPoint, b: RiverPoint, velocityKmh?: number): { km: number; hours: number } | null {
    const leg = (river: RiverName, from: number, to: number) => ({ km: to - from, hours: velocityKmh ? (to - from) / velocityKmh : this.hoursBetween(river, from, to) });
    if (a.river === b.river) return b.km >= a.km ? leg(a.river, a.km, b.km) : null;
    if (a.river === 'Han' && b.river === 'Yangtze' && b.km >= HAN_MOUTH.yangtze.km) {
      const x = leg('Han', a.km, HAN_MOUTH.han.km);
      const y = leg('Yangtze', HAN_MOUTH.yangtze.km, b.km);
      return { km: x.km + y.km, hours: x.hours + y.hours };
    }
    return null;
  }

  pointOf(station: string): RiverPoint | null {
    const s = this.stations.get(station);
    return s ? { river: s.river, km: s.km } : null;
  }

  /** Stations downstream of a point, nearest first, with distance and travel time. */
  downstreamOf(p: RiverPoint, velocityKmh?: number): { station: string; km: number; hours: number }[] {
    const out: { station: string; km: number; hours: number }[] = [];
    for (const s of this.stations.values()) {
      const r = this.path(p, s, velocityKmh);
      if (r && r.km > 0) out.push({ station: s.id, ...r });
    }
    return out.sort((x, y) => x.km - y.km || x.station.localeCompare(y.station));
  }

  /** Stations upstream of a point, nearest first. */
  upstreamOf(p: RiverPoint): { station: string; km: number; hours: number }[] {
    const out: { station: string; km: number; hours: number }[] = [];
    for (const s of this.stations.values()) {
      const r = this.path(s, p);
      if (r && r.km > 0) out.push({ station: s.id, ...r });
    }
    return out.sort((x, y) => x.km - y.km || x.station.localeCompare(y.station));
  }

  /** Gauges (river stations with water level) ordered from upstream to downstream along a river. */
  gaugesOf(river: RiverName): SnappedStation[] {
    return [...this.stations.values()].filter((s) => s.river === river && (s.kind === 'hydrology_gauge' || s.kind === 'reservoir')).sort((a, b) => a.km - b.km);
  }
}

function nodeSlug(n: BasinNode): string {
  return n.station ?? n.id.replace(/^gauge:/, '');
}

/** River and km of a station on the network: its catalogue river-km, else snapped from its position. */
export function snapStation(s: Pick<Station, 'river' | 'riverKm' | 'location'>): RiverPoint | null {
  if (!isRiverWithAxis(s.river)) return null;
  if (s.riverKm !== null) return { river: s.river, km: s.riverKm };
  const snap = riverKmOf(s.river, [s.location.lon, s.location.lat]);
  return snap.offsetKm <= 15 ? { river: s.river, km: Math.round(snap.km * 10) / 10 } : null;
}
