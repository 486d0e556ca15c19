import { z } from 'zod';

/**
 * Reference water levels of gauges and reservoirs, as typed, dated, sourced records.
 *
 * River and lake gauges have 设防 / 警戒 / 保证 levels (fortification / warning / guaranteed);
 * reservoirs have their own operating levels (汛限 flood limit, seasonal; 正常蓄水 normal pool;
 * 防洪高 flood-control high; 设计 / 校核 design / check flood; 死水位 dead level). The two are kept
 * apart by `type`, so a reservoir's flood-limit level can never be read as a gauge warning level.
 *
 * Every level carries its datum, the date from which it is known to be in force, its source and
 * whether it is an estimate. Revisions are kept (one record per value), and where sources
 * disagree with no way to tell which is right, both records stay and an `ambiguities` entry says
 * so (see {@link levelsAt}: it reports the conflict instead of picking silently).
 */

/**
 * Height datum (高程基准). Hubei's Yangtze stages are conventionally on the frozen Wusong datum
 * (冻结吴淞); at Wuhan Wusong = Huanghai 1956 + 1.875 m, the offset varies by site. `unknown`: the
 * published tables do not print the datum and no source was found (e.g. the Han River gauges).
 */
export const Datum = z.enum(['wusong_frozen', 'huanghai_1985', 'huanghai_1956', 'local', 'unknown']);
export type Datum = z.infer<typeof Datum>;

/** Calendar date `YYYY-MM-DD`, or a partial one (`YYYY-MM`, `YYYY`) when the source gives no more. */
export const PartialDate = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, 'date: YYYY, YYYY-MM or YYYY-MM-DD');
export type PartialDate = z.infer<typeof PartialDate>;

/** Month-day `MM-DD` of a recurring annual date (China Standard Time). */
export const MonthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'month-day: MM-DD');
export type MonthDay = z.infer<typeof MonthDay>;

const recordBase = {
  /** Level in metres above `datum`. */
  value: z.number(),
  datum: Datum,
  /**
   * First date the value is known to be in force: the decree date when a source gives it,
   * otherwise the date of the earliest source showing it (a table screenshot, a news report).
   * null: in force before every dated revision of the same kind.
   */
  effectiveFrom: PartialDate.nullable().default(null),
  /** Who publishes this value (e.g. 长江委 / 湖南省, 湖北省水利厅) when sources by authority differ. */
  authority: z.string().min(1).nullable().default(null),
  source: z.string().min(1),
  /** True when the value (or its date) is an estimate, not read in a source. */
  estimate: z.boolean().default(false),
  note: z.string().nullable().default(null),
};

export const GaugeLevelKind = z.enum([
  'fortification', // 设防水位: dike patrols start
  'warning', // 警戒水位
  'guaranteed', // 保证水位: the dikes' design safe level
]);
export type GaugeLevelKind = z.infer<typeof GaugeLevelKind>;

export const GaugeLevel = z.object({ kind: GaugeLevelKind, ...recordBase });
export type GaugeLevel = z.infer<typeof GaugeLevel>;
export type GaugeLevelInput = z.input<typeof GaugeLevel>;

export const ReservoirLevelKind = z.enum([
  'flood_limit', // 汛限水位 (seasonal: see `season`)
  'normal_pool', // 正常蓄水位
  'flood_control_high', // 防洪高水位
  'design_flood', // 设计洪水位
  'check_flood', // 校核洪水位
  'dead', // 死水位
]);
export type ReservoirLevelKind = z.infer<typeof ReservoirLevelKind>;

/** An annual window, both ends inclusive, in China Standard Time; `from` after `to` wraps the new year. */
export const Season = z.object({ name: z.string().min(1), from: MonthDay, to: MonthDay });
export type Season = z.infer<typeof Season>;

export const ReservoirLevel = z.object({
  kind: ReservoirLevelKind,
  ...recordBase,
  /** Only for seasonal levels (flood limit): the window of the year the value applies to. */
  season: Season.nullable().default(null),
});
export type ReservoirLevel = z.infer<typeof ReservoirLevel>;
export type ReservoirLevelInput = z.input<typeof ReservoirLevel>;

/** Highest stage on record. Dates as precise as the source gives; `alsoOn` lists later equal records. */
export const HistoricalMax = z.object({
  value: z.number(),
  datum: Datum,
  date: PartialDate.nullable(),
  alsoOn: z.array(PartialDate).default([]),
  source: z.string().min(1),
  estimate: z.boolean().default(false),
  note: z.string().nullable().default(null),
});
export type HistoricalMax = z.infer<typeof HistoricalMax>;

/** Sources disagree on a level and the facts cannot tell which is right. */
export const LevelAmbiguity = z.object({
  kind: z.union([GaugeLevelKind, ReservoirLevelKind]),
  values: z.array(z.number()).min(2),
  note: z.string().min(1),
});
export type LevelAmbiguity = z.infer<typeof LevelAmbiguity>;

export const GaugeReferenceLevels = z.object({
  type: z.literal('gauge'),
  levels: z.array(GaugeLevel),
  historicalMax: HistoricalMax.nullable().default(null),
  ambiguities: z.array(LevelAmbiguity).default([]),
});
export const ReservoirReferenceLevels = z.object({
  type: z.literal('reservoir'),
  levels: z.array(ReservoirLevel),
  historicalMax: HistoricalMax.nullable().default(null),
  ambiguities: z.array(LevelAmbiguity).default([]),
});
export const ReferenceLevels = z.discriminatedUnion('type', [GaugeReferenceLevels, ReservoirReferenceLevels]);
export type ReferenceLevels = z.infer<typeof ReferenceLevels>;
export type ReferenceLevelsInput = z.input<typeof ReferenceLevels>;
export type GaugeReferenceLevels = z.infer<typeof GaugeReferenceLevels>;
export type ReservoirReferenceLevels = z.infer<typeof ReservoirReferenceLevels>;

// ---- levels in force at a date -------------------------------------------------------------

/** The gauge levels in force at a date (null: no value of that kind is known). */
export interface GaugeLevelsInForce {
  type: 'gauge';
  fortification: GaugeLevel | null;
  warning: GaugeLevel | null;
  guaranteed: GaugeLevel | null;
  historicalMax: HistoricalMax | null;
  /**
   * Conflicting values in force at the date. The record returned for that kind is the most
   * conservative one (the lowest: it warns first); the others are listed here to be shown.
   */
  ambiguities: (LevelAmbiguity & { records: GaugeLevel[] })[];
}

/** The reservoir levels in force at a date; `floodLimit` is null outside every flood season. */
export interface ReservoirLevelsInForce {
  type: 'reservoir';
  floodLimit: ReservoirLevel | null;
  /** The flood season the date falls in (null outside the flood seasons). */
  floodSeason: Season | null;
  normalPool: ReservoirLevel | null;
  floodControlHigh: ReservoirLevel | null;
  designFlood: ReservoirLevel | null;
  checkFlood: ReservoirLevel | null;
  dead: ReservoirLevel | null;
  historicalMax: HistoricalMax | null;
  ambiguities: (LevelAmbiguity & { records: ReservoirLevel[] })[];
}

export type LevelsInForce = GaugeLevelsInForce | ReservoirLevelsInForce;

const CST_MS = 8 * 3_600_000;

/** `YYYY-MM-DD` (China Standard Time) of epoch ms, or the date part of an ISO string. */
export function cstDate(date: number | string | Date): string {
  if (typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date)) return date;
  const ms = typeof date === 'number' ? date : typeof date === 'string' ? Date.parse(date) : date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not a date: ${String(date)}`);
  return new Date(ms + CST_MS).toISOString().slice(0, 10);
}

/** Partial dates compare as their first day: `2016` → `2016-01-01`. */
function startOf(d: PartialDate): string {
  return d.length === 4 ? `${d}-01-01` : d.length === 7 ? `${d}-01` : d;
}

/** Whether `day` (`YYYY-MM-DD`) lies in the annual window (inclusive; wraps the new year). */
export function inSeason(season: Pick<Season, 'from' | 'to'>, day: string): boolean {
  const md = day.slice(5);
  return season.from <= season.to ? md >= season.from && md <= season.to : md >= season.from || md <= season.to;
}

/**
 * Records in force on `day`: for each authority, the latest revision with effectiveFrom ≤ day
 * (undated records count as the oldest). When no record is in force yet (the day precedes every
 * dated revision), the oldest record applies: the earliest value known.
 */
function inForce<R extends { effectiveFrom: string | null; authority: string | null }>(records: R[], day: string): R[] {
  const since = (r: R) => (r.effectiveFrom === null ? '' : startOf(r.effectiveFrom));
  const latest = new Map<string | null, R>();
  for (const r of records) {
    if (since(r) > day) continue;
    const cur = latest.get(r.authority);
    if (!cur || since(r) >= since(cur)) latest.set(r.authority, r);
  }
  if (latest.size > 0 || records.length === 0) return [...latest.values()];
  return [records.reduce((a, b) => (since(b) < since(a) ? b : a))];
}

function pickKind<R extends { kind: string; value: number; effectiveFrom: string | null; authority: string | null }>(
  all: R[],
  kind: R['kind'],
  day: string,
  ambiguities: LevelAmbiguity[],
  conflicts: (LevelAmbiguity & { records: R[] })[],
): R | null {
  const live = inForce(
    all.filter((r) => r.kind === kind),
    day,
  ).sort((a, b) => a.value - b.value);
  if (live.length === 0) return null;
  const distinct = new Set(live.map((r) => r.value));
  if (distinct.size > 1) {
    const known = ambiguities.find((a) => a.kind === kind);
    conflicts.push({
      kind: kind as LevelAmbiguity['kind'],
      values: [...distinct],
      note: known?.note ?? `sources disagree on the ${kind} level`,
      records: live,
    });
  }
  return live[0]!;
}

/**
 * The reference levels in force at `date` (epoch ms, Date or ISO date; seasons are read in China
 * Standard Time): per kind the latest revision, the seasonal flood limit of the flood season the
 * date falls in (null outside it), the historical maximum, and any unresolved ambiguity.
 * Returns null for a station without reference levels.
 */
export function levelsAt(station: { referenceLevels: ReferenceLevels | null }, date: number | string | Date): LevelsInForce | null {
  const ref = station.referenceLevels;
  if (!ref) return null;
  const day = cstDate(date);
  if (ref.type === 'gauge') {
    const conflicts: GaugeLevelsInForce['ambiguities'] = [];
    const pick = (k: GaugeLevelKind) => pickKind(ref.levels, k, day, ref.ambiguities, conflicts);
    return {
      type: 'gauge',
      fortification: pick('fortification'),
      warning: pick('warning'),
      guaranteed: pick('guaranteed'),
      historicalMax: ref.historicalMax,
      ambiguities: conflicts,
    };
  }
  const conflicts: ReservoirLevelsInForce['ambiguities'] = [];
  const seasonal = ref.levels.filter((l) => l.season !== null && inSeason(l.season, day));
  const yearRound = ref.levels.filter((l) => l.season === null);
  const pick = (k: ReservoirLevelKind) => pickKind(k === 'flood_limit' ? seasonal : yearRound, k, day, ref.ambiguities, conflicts);
  const floodLimit = pick('flood_limit');
  return {
    type: 'reservoir',
    floodLimit,
    floodSeason: floodLimit?.season ?? null,
    normalPool: pick('normal_pool'),
    floodControlHigh: pick('flood_control_high'),
    designFlood: pick('design_flood'),
    checkFlood: pick('check_flood'),
    dead: pick('dead'),
    historicalMax: ref.historicalMax,
    ambiguities: conflicts,
  };
}

/** Every reference level value of a station (all kinds and revisions, and the historical maximum). */
export function referenceLevelValues(ref: ReferenceLevels | null): number[] {
  if (!ref) return [];
  const v: number[] = ref.levels.map((l) => l.value);
  if (ref.historicalMax) v.push(ref.historicalMax.value);
  return v;
}
