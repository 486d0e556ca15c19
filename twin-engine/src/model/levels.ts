import { levelsAt, type Datum, type LevelsInForce, type ReferenceLevels, type Station } from '@basin/schemas';

/**
 * Reference levels of a gauge with their kind, read from the station registry's dated, sourced
 * records (`Station.referenceLevels`) through schemas' `levelsAt` — the one implementation of
 * revisions, seasons and conflicting sources. River and lake gauges have 设防 / 警戒 / 保证 levels
 * (and the historical maximum); reservoirs have their own operating levels (汛限 / 正常蓄水 / 防洪高 /
 * 设计 / 校核 / 死水位): a reservoir at its normal pool is not "above warning".
 */
export type RiverLevelKind = 'fortification' | 'warning' | 'guaranteed' | 'historical_max';
export type ReservoirLevelKind = 'flood_limit' | 'normal_pool' | 'flood_control_high' | 'design_flood' | 'check_flood' | 'dead';
export type LevelKind = RiverLevelKind | ReservoirLevelKind;

export interface GaugeReference {
  station: string;
  type: 'river' | 'reservoir';
  /** The registry's records (every revision, with datum, dates and sources). */
  records: ReferenceLevels;
  /** Margin below the warning level that counts as "near warning" (blue), m. */
  nearWarningM: number;
}

/** One level in force at a time. */
export interface LevelInForce {
  kind: LevelKind;
  value: number;
  datum: Datum;
  source: string;
  estimate: boolean;
}

/** The reference of a station from the registry, or null when it has no reference levels. */
export function referenceOf(st: Pick<Station, 'id' | 'referenceLevels'>, nearWarningM = 1): GaugeReference | null {
  const records = st.referenceLevels;
  if (!records) return null;
  return { station: st.id, type: records.type === 'gauge' ? 'river' : 'reservoir', records, nearWarningM };
}

type Rec = { value: number; datum: Datum; source: string; estimate: boolean } | null;

function fields(l: LevelsInForce): [LevelKind, Rec][] {
  if (l.type === 'gauge') return [['fortification', l.fortification], ['warning', l.warning], ['guaranteed', l.guaranteed], ['historical_max', l.historicalMax]];
  return [['flood_limit', l.floodLimit], ['normal_pool', l.normalPool], ['flood_control_high', l.floodControlHigh], ['design_flood', l.designFlood], ['check_flood', l.checkFlood], ['dead', l.dead]];
}

/** Levels in force at `t` (epoch ms): per kind the latest revision, seasonal levels only inside their season. */
export function levelsInForce(ref: GaugeReference, t: number): LevelInForce[] {
  const l = levelsAt({ referenceLevels: ref.records }, t);
  if (!l) return [];
  return fields(l).flatMap(([kind, r]) => (r ? [{ kind, value: r.value, datum: r.datum, source: r.source, estimate: r.estimate }] : []));
}

export function levelOf(ref: GaugeReference, kind: LevelKind, t: number): number | null {
  return levelsInForce(ref, t).find((l) => l.kind === kind)?.value ?? null;
}
