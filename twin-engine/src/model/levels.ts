import type { Station } from '@basin/schemas';

/**
 * Reference levels of a gauge with their kind. River and lake gauges have 设防 / 警戒 / 保证
 * levels (and the historical maximum); reservoirs have their own operating levels (汛限 /
 * 正常蓄水 / 防洪高 / 死水位): a reservoir at its normal pool is not "above warning".
 */
export type RiverLevelKind = 'setup' | 'warning' | 'guaranteed' | 'historical_max';
export type ReservoirLevelKind = 'flood_limit' | 'normal_pool' | 'flood_control_high' | 'dead';
export type LevelKind = RiverLevelKind | ReservoirLevelKind;

export interface ReferenceLevel {
  kind: LevelKind;
  /** m above the datum */
  value: number;
  datum: string;
  /** ISO date the value took effect (table date), or null when unknown. */
  effectiveFrom: string | null;
  /** Days of the year the level applies ("MM-DD" inclusive, China time), e.g. a summer flood limit. */
  season?: { from: string; to: string };
  source: string;
  estimate: boolean;
}

export interface GaugeReference {
  station: string;
  type: 'river' | 'reservoir';
  levels: ReferenceLevel[];
  /** Margin below the warning level that counts as "near warning" (blue), m. */
  nearWarningM: number;
}

const WUSONG = 'frozen Wusong (冻结吴淞), per domain-facts hydrology.datum (medium-low confidence)';
const HUBEI_TABLE = 'Hubei Dept. of Water Resources 江河水情 table 2023 (levels), 2016 (historical maximum)';

/**
 * Reservoir operating levels (domain-facts hydrology.dams_reservoirs). Three Gorges: flood limit
 * 145 m from 10 June (end of the season 30 Sep is an ESTIMATE), normal pool 175 m, dry-season
 * minimum 155 m. Danjiangkou: summer flood limit 160 m (21 Jun–20 Aug), autumn 163.5 m
 * (1 Sep–10 Oct), normal pool 170 m, dead level 150 m.
 */
export const RESERVOIR_LEVELS: Readonly<Record<string, ReferenceLevel[]>> = {
  'three-gorges': [
    { kind: 'flood_limit', value: 145, datum: WUSONG, effectiveFrom: null, season: { from: '06-10', to: '09-30' }, source: 'domain-facts dams_reservoirs (season end estimate)', estimate: true },
    { kind: 'normal_pool', value: 175, datum: WUSONG, effectiveFrom: null, source: 'domain-facts dams_reservoirs', estimate: false },
  ],
  danjiangkou: [
    { kind: 'flood_limit', value: 160, datum: 'unknown (domain-facts: Han datum not found)', effectiveFrom: null, season: { from: '06-21', to: '08-20' }, source: 'domain-facts dams_reservoirs flood_limit (research paper, medium)', estimate: false },
    { kind: 'flood_limit', value: 163.5, datum: 'unknown (domain-facts: Han datum not found)', effectiveFrom: null, season: { from: '09-01', to: '10-10' }, source: 'domain-facts dams_reservoirs flood_limit (research paper, medium)', estimate: false },
    { kind: 'normal_pool', value: 170, datum: 'unknown', effectiveFrom: null, source: 'domain-facts dams_reservoirs', estimate: false },
    { kind: 'dead', value: 150, datum: 'unknown', effectiveFrom: null, source: 'domain-facts dams_reservoirs', estimate: false },
  ],
};

/**
 * Reference levels of a station from the registry: river and lake gauges from their
 * setup / warning / guaranteed / historical-maximum levels; reservoirs from RESERVOIR_LEVELS
 * (the registry's generic level slots do not carry reservoir level kinds).
 */
export function referenceOf(st: Pick<Station, 'id' | 'kind' | 'levels' | 'river' | 'source'>, nearWarningM = 1): GaugeReference | null {
  if (st.kind === 'reservoir') {
    const levels = RESERVOIR_LEVELS[st.id];
    return levels ? { station: st.id, type: 'reservoir', levels, nearWarningM } : null;
  }
  const lv = st.levels;
  if (!lv) return null;
  const datum = st.river === 'Yangtze' ? WUSONG : 'unknown (domain-facts: datum not printed in the Hubei tables)';
  const mk = (kind: RiverLevelKind, value: number | null | undefined, effectiveFrom: string | null): ReferenceLevel[] =>
    value === null || value === undefined ? [] : [{ kind, value, datum, effectiveFrom, source: st.source ?? HUBEI_TABLE, estimate: false }];
  return {
    station: st.id,
    type: 'river',
    levels: [...mk('setup', lv.setup, '2023-02-08'), ...mk('warning', lv.warning, '2023-02-08'), ...mk('guaranteed', lv.guaranteed, '2023-02-08'), ...mk('historical_max', lv.historicalMax, '2016-10-04')],
    nearWarningM,
  };
}

/** "MM-DD" of an instant in China Standard Time. */
export function monthDayCst(t: number): string {
  const d = new Date(t + 8 * 3_600_000);
  return `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Levels in force at `t` (seasonal levels only inside their season). */
export function levelsInForce(ref: GaugeReference, t: number): ReferenceLevel[] {
  const md = monthDayCst(t);
  return ref.levels.filter((l) => !l.season || (l.season.from <= l.season.to ? md >= l.season.from && md <= l.season.to : md >= l.season.from || md <= l.season.to));
}

export function levelOf(ref: GaugeReference, kind: LevelKind, t: number): number | null {
  return levelsInForce(ref, t).find((l) => l.kind === kind)?.value ?? null;
}
