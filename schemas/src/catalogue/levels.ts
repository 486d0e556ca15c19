import type { Datum, GaugeLevelInput, HistoricalMax, ReferenceLevelsInput, ReservoirLevelInput } from '../levels.js';

/**
 * Reference levels of the catalogue's gauges and reservoirs, from data/domain/domain-facts.json
 * (`hydrology.stations_*`, `hydrology.lakes`, `hydrology.dams_reservoirs`). Gauge levels come from
 * the Hubei Dept. of Water Resources 江河水情 table, read from screenshots dated 2016-10-04
 * (设防 / 警戒 / 最高水位) and 2023-02-08 (设防 / 警戒 / 保证); a value is recorded as in force
 * from the earliest table (or news report) showing it, and a changed value as a revision.
 * levels.test.ts checks every value against the facts file.
 */

const T2016 = '2016-10-04';
const T2023 = '2023-02-08';
const SRC_2016 = 'Hubei Dept. of Water Resources 江河水情 table, screenshot 2016-10-04 08:00 (domain-facts hydrology.level_tables_provenance)';
const SRC_2023 = 'Hubei Dept. of Water Resources 江河水情 table, screenshot 2023-02-08 08:00 (domain-facts hydrology.level_tables_provenance)';
const SRC_BOTH = `${SRC_2016}; same value in the 2023-02-08 table`;

/** Datum of each river's stages (domain-facts hydrology.datum). */
export const RIVER_DATUM: Readonly<Record<string, Datum>> = {
  // "Hubei/CWRC Yangtze main-stem stage values are conventionally on the (frozen) Wusong datum" (medium-low confidence)
  Yangtze: 'wusong_frozen',
  // Han River datum: "not found - verify before mixing Han and Yangtze stages"; Qing, Dongjing and the lakes: not printed
  Han: 'unknown',
};
const datumOf = (river: string | null): Datum => (river ? (RIVER_DATUM[river] ?? 'unknown') : 'unknown');

interface Tables {
  /** 2016 table: 设防, 警戒, 最高水位 (historical maximum). */
  t2016?: { f?: number | null; w?: number | null; max?: number | null };
  /** 2023 table: 设防, 警戒, 保证. */
  t2023?: { f?: number | null; w?: number | null; g?: number | null };
}

/** One record per value: a value in both tables is in force since 2016, a changed one is a revision. */
function fromTables(kind: GaugeLevelInput['kind'], datum: Datum, a: number | null | undefined, b: number | null | undefined): GaugeLevelInput[] {
  if (a != null && b != null && a === b) return [{ kind, value: a, datum, effectiveFrom: T2016, source: SRC_BOTH }];
  const out: GaugeLevelInput[] = [];
  if (a != null) out.push({ kind, value: a, datum, effectiveFrom: T2016, source: SRC_2016 });
  if (b != null) out.push({ kind, value: b, datum, effectiveFrom: T2023, source: SRC_2023 });
  return out;
}

export interface GaugeFacts extends Tables {
  river: string | null;
  /** Dated historical maximum when a source gives the date (else the 2016 table's value, undated). */
  max?: { value: number; date: string | null; source: string; note?: string };
  /** Extra records (older revisions from news reports, other authorities). */
  extra?: Omit<GaugeLevelInput, 'datum'>[];
  ambiguities?: { kind: 'fortification' | 'warning' | 'guaranteed'; values: number[]; note: string }[];
  /** Drop the table record of this kind (replaced by `extra`). */
  skip?: ('fortification' | 'warning' | 'guaranteed')[];
}

export function gaugeLevels(f: GaugeFacts): ReferenceLevelsInput {
  const datum = datumOf(f.river);
  const levels: GaugeLevelInput[] = [
    ...fromTables('fortification', datum, f.t2016?.f, f.t2023?.f),
    ...fromTables('warning', datum, f.t2016?.w, f.t2023?.w),
    ...fromTables('guaranteed', datum, null, f.t2023?.g),
  ].filter((l) => !f.skip?.includes(l.kind));
  for (const e of f.extra ?? []) levels.push({ ...e, datum });
  let historicalMax: HistoricalMax | null = null;
  if (f.max) historicalMax = { value: f.max.value, datum, date: f.max.date, alsoOn: [], source: f.max.source, estimate: false, note: f.max.note ?? null };
  else if (f.t2016?.max != null) {
    historicalMax = { value: f.t2016.max, datum, date: null, alsoOn: [], source: `${SRC_2016} (最高水位 column; date not printed)`, estimate: false, note: null };
  }
  return { type: 'gauge', levels, historicalMax, ambiguities: f.ambiguities ?? [] };
}

type T = [f: number | null, w: number | null, max: number | null, f23: number | null, w23: number | null, g23: number | null];
const tables = ([f, w, max, f23, w23, g23]: T): Tables => ({ t2016: { f, w, max }, t2023: { f: f23, w: w23, g: g23 } });

/** Gauges whose levels are exactly the two tables (2016: 设防/警戒/最高; 2023: 设防/警戒/保证). */
export const TABLE_GAUGES: Readonly<Record<string, { river: string | null; t: T }>> = {
  yichang: { river: 'Yangtze', t: [52.0, 53.0, 55.92, 52.0, 53.0, 55.73] },
  zhicheng: { river: 'Yangtze', t: [48.0, 49.0, 50.75, 48.0, 49.0, 51.75] },
  huangshi: { river: 'Yangtze', t: [22.8, 24.5, 26.39, 22.8, 24.5, 27.5] },
  wuxue: { river: 'Yangtze', t: [20.5, 21.5, 24.04, 20.5, 21.5, 24.5] },
  jiujiang: { river: 'Yangtze', t: [19.5, 20.0, 23.03, null, 20.0, 23.25] },
  lianhuatang: { river: 'Yangtze', t: [null, 32.5, 35.8, null, 32.5, 34.4] },
  xiangyang: { river: 'Han', t: [65.5, 67.0, 71.71, 65.5, 67.0, 70.0] },
  yicheng: { river: 'Han', t: [56.5, 57.5, 61.45, 56.5, 57.5, 59.3] },
  huangzhuang: { river: 'Han', t: [47.0, 48.0, 52.3, 47.0, 48.0, 50.62] },
  shayang: { river: 'Han', t: [40.8, 41.8, 44.5, 40.8, 41.8, 44.5] },
  yuekou: { river: 'Han', t: [36.9, 37.9, 40.62, 36.9, 37.9, 40.62] },
  xiantao: { river: 'Han', t: [34.1, 35.1, 36.24, 34.1, 35.1, 36.2] },
  hanchuan: { river: 'Han', t: [28.0, 29.0, 32.09, 28.0, 29.0, 31.69] },
  'qianjiang-dongjing': { river: 'Dongjing', t: [38.4, 39.7, 42.09, 38.4, 39.7, 42.11] },
  honghu: { river: null, t: [25.8, 26.2, 27.19, 25.8, 26.2, 27.0] },
  liangzi: { river: null, t: [19.0, 20.5, 21.52, 19.0, 20.5, 21.36] },
  futou: { river: null, t: [21.5, 22.8, 24.59, 21.5, 22.8, 23.94] },
  diaocha: { river: null, t: [null, null, null, null, 24.8, 26.0] },
};

const SRC_JIANLI = 'domain-facts hydrology.stations_yangtze[jianli].level_history_note';
const SRC_CLJ = 'domain-facts hydrology.stations_yangtze[chenglingji]';

/** Gauges with revisions, dated records or conflicting sources beyond the two tables. */
export const SPECIAL_GAUGES: Readonly<Record<string, GaugeFacts>> = {
  shashi: {
    river: 'Yangtze',
    ...tables([42.0, 43.0, 45.22, 42.0, 43.0, 45.0]),
    max: { value: 45.22, date: '1998-08-17', source: 'domain-facts stations_yangtze[shashi].records (sohu 2010-07-22; cjh.com.cn)', note: '53,700 m³/s; 0.55 m above 1954' },
  },
  jianli: {
    river: 'Yangtze',
    ...tables([34.0, 35.5, 38.31, 34.5, 35.7, 37.23]),
    skip: ['guaranteed'],
    extra: [
      { kind: 'warning', value: 35.0, effectiveFrom: '2000', source: `${SRC_JIANLI} (2000/2002 news reports)`, note: 'in force around 2000-2002' },
      { kind: 'guaranteed', value: 37.23, effectiveFrom: '2020-07-25', source: `${SRC_2023}; confirmed by 2020-07-25 news (37.24 m = 超保 0.01 m)` },
    ],
  },
  luoshan: {
    river: 'Yangtze',
    ...tables([31.0, 32.0, 34.95, 31.0, 32.0, 34.01]),
    extra: [{ kind: 'warning', value: 31.5, effectiveFrom: '2002-09-05', source: 'domain-facts stations_yangtze[luoshan].level_history_note (chinanews 2002-09-05)' }],
  },
  hankou: {
    river: 'Yangtze',
    ...tables([25.0, 27.3, 29.73, 25.0, 27.3, 29.73]),
    max: { value: 29.73, date: '1954-08-18', source: 'domain-facts stations_yangtze[hankou].records_top_levels_m (Hubei Daily 2024-07-05, quoting Wuhan Water Authority)' },
  },
  chenglingji: {
    river: 'Yangtze',
    extra: [
      {
        kind: 'warning',
        value: 32.5,
        effectiveFrom: T2016,
        authority: '长江委 / 湖南省',
        source: `${SRC_CLJ}.note (Xinhua 2020-07-05: 32.65 m = 超警 0.15 m; the 2016 Hubei table)`,
      },
      { kind: 'warning', value: 33.0, effectiveFrom: T2023, authority: '湖北省水利厅', source: `${SRC_2023} (${SRC_CLJ}.levels.warning_in_Hubei_2023_table_m)` },
      { kind: 'guaranteed', value: 34.55, effectiveFrom: '2020-07-12', source: `${SRC_CLJ}.levels.guaranteed_m (2020-07-12 34.58 m = 0.03 m above guaranteed)` },
    ],
    max: { value: 35.94, date: '1998-08-20', source: `${SRC_CLJ}.records (cs.zjol.com.cn 2018-05-23)` },
    ambiguities: [
      {
        kind: 'warning',
        values: [32.5, 33.0],
        note: 'Chenglingji (七里山) warning level: 32.5 m per CWRC / Hunan (Xinhua 2020-07-05) and the 2016 Hubei table; 33.0 m in the 2023 Hubei table. Unresolved in the facts: verify which value the alert rules should use.',
      },
    ],
  },
  changhu: {
    river: null,
    ...tables([31.5, 32.5, 33.3, 31.5, 32.5, 33.5]),
    skip: ['guaranteed'],
    extra: [
      { kind: 'guaranteed', value: 33.0, effectiveFrom: '2020-07-11', source: 'domain-facts hydrology.lakes[长湖].note (2020-07-11 33.47 m reported as 超保证 0.47 m)', estimate: true, note: 'implied by the 2020 report, not printed' },
      { kind: 'guaranteed', value: 33.5, effectiveFrom: T2023, source: SRC_2023 },
    ],
    max: { value: 33.47, date: '2020-07-11', source: 'domain-facts hydrology.lakes[长湖].note (new record; previous 33.46 m in 2016)' },
  },
  enshi: {
    river: 'Qing',
    t2016: { w: 415.5, max: 420.64 },
  },
  gaobazhou: {
    river: 'Qing',
    t2016: { w: 51.5, max: 50.26 },
  },
};

export function catalogueGaugeLevels(id: string): ReferenceLevelsInput | null {
  const special = SPECIAL_GAUGES[id];
  if (special) return gaugeLevels(special);
  const t = TABLE_GAUGES[id];
  return t ? gaugeLevels({ river: t.river, ...tables(t.t) }) : null;
}

// ---- reservoirs ------------------------------------------------------------------------------

const SRC_TGD = 'domain-facts hydrology.dams_reservoirs[三峡大坝] (classicistranieri Wikipedia for schools; hb.china.com.cn 2020-08-21)';
const SRC_DJK = 'domain-facts hydrology.dams_reservoirs[丹江口大坝]';

const tgr: ReservoirLevelInput[] = [
  {
    kind: 'flood_limit',
    value: 145,
    datum: 'wusong_frozen',
    source: `${SRC_TGD}: "drawn down to 145 m by 10 June each year"`,
    season: { name: '汛期 flood season', from: '06-10', to: '09-10' },
    note: 'start 10 June from the facts; the end (10 September, when refilling may start) is not in the facts: an estimate to configure',
    estimate: true,
  },
  { kind: 'normal_pool', value: 175, datum: 'wusong_frozen', source: `${SRC_TGD}; datum per meiyatravel.com (low-quality page)`, note: 'dry-season minimum 155 m (domain-facts dry_season_min_m)' },
];

const djk: ReservoirLevelInput[] = [
  {
    kind: 'flood_limit',
    value: 160,
    datum: 'unknown',
    source: `${SRC_DJK}.flood_limit (abtbus.com research paper)`,
    season: { name: '夏汛 summer flood season', from: '06-21', to: '08-20' },
    note: 'dynamic range 160.0-162.9 m',
  },
  {
    kind: 'flood_limit',
    value: 163.5,
    datum: 'unknown',
    source: `${SRC_DJK}.flood_limit (abtbus.com research paper)`,
    season: { name: '秋汛 autumn flood season', from: '09-01', to: '10-10' },
    note: 'dynamic range 163.5-165.7 m',
  },
  {
    kind: 'normal_pool',
    value: 157,
    datum: 'unknown',
    source: `${SRC_DJK}.normal_pool_before_m`,
    note: 'before the dam heightening (crest 162 m); replaced by 170 m - the date of the change is not in the facts',
  },
  { kind: 'normal_pool', value: 170, datum: 'unknown', effectiveFrom: '2021', source: `${SRC_DJK}.normal_pool_m; first filled to 170 m in 2021`, note: 'after heightening (crest 176.6 m); effective date = first full storage (2021), the decree date is not in the facts', estimate: true },
  { kind: 'dead', value: 150, datum: 'unknown', source: `${SRC_DJK}.dead_level_m` },
];

export const RESERVOIR_LEVELS: Readonly<Record<string, ReferenceLevelsInput>> = {
  'three-gorges': {
    type: 'reservoir',
    levels: tgr,
    historicalMax: null,
    ambiguities: [],
  },
  danjiangkou: {
    type: 'reservoir',
    levels: djk,
    historicalMax: {
      value: 170,
      datum: 'unknown',
      date: '2021',
      alsoOn: ['2024-11'],
      source: `${SRC_DJK}.records (first full storage 170 m after heightening in 2021; second in Nov 2024)`,
      estimate: true,
      note: 'about 170 m (full storage reached); the exact peak stages are not in the facts. Pre-heightening record 160.07 m (1983).',
    },
    ambiguities: [],
  },
};
