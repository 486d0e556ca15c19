import type { MetricCode, WaterClass } from '@basin/schemas';

/**
 * GB 3838-2002 surface-water quality, Table 1 basic items (schemas/data/domain/domain-facts.json
 * `water_quality_gb3838_2002`, confidence high). Limits are upper bounds ("≤") except dissolved
 * oxygen (lower bound, "≥") and pH (6–9 for every class). Where neighbouring classes share a
 * limit, a value at that limit gets the better class (the first class whose limit it meets).
 */
export type WaterBody = 'river' | 'lake_reservoir';
export const CLASSES = ['I', 'II', 'III', 'IV', 'V'] as const;
type Five = readonly [number, number, number, number, number];

export type Gb3838Item =
  | 'ph' | 'do' | 'codmn' | 'cod' | 'bod5' | 'nh3n' | 'tp' | 'tn' | 'cu' | 'zn' | 'f' | 'se' | 'as' | 'hg' | 'cd'
  | 'cr6' | 'pb' | 'cn' | 'volatile_phenol' | 'petroleum' | 'las' | 'sulfide' | 'fecal_coliform' | 'water_temp';

interface Limits {
  direction: 'max' | 'min' | 'range';
  river: Five | null;
  /** Lake / reservoir limits where they differ (TP) or only exist there (TN). */
  lake?: Five;
  unit: string;
}

const L = (river: Five, unit = 'mg/L'): Limits => ({ direction: 'max', river, unit });

export const GB3838_LIMITS: Readonly<Record<Exclude<Gb3838Item, 'ph' | 'water_temp'>, Limits>> = {
  do: { direction: 'min', river: [7.5, 6, 5, 3, 2], unit: 'mg/L' },
  codmn: L([2, 4, 6, 10, 15]),
  cod: L([15, 15, 20, 30, 40]),
  bod5: L([3, 3, 4, 6, 10]),
  nh3n: L([0.15, 0.5, 1.0, 1.5, 2.0]),
  tp: { direction: 'max', river: [0.02, 0.1, 0.2, 0.3, 0.4], lake: [0.01, 0.025, 0.05, 0.1, 0.2], unit: 'mg/L' },
  tn: { direction: 'max', river: null, lake: [0.2, 0.5, 1.0, 1.5, 2.0], unit: 'mg/L' },
  cu: L([0.01, 1.0, 1.0, 1.0, 1.0]),
  zn: L([0.05, 1.0, 1.0, 2.0, 2.0]),
  f: L([1.0, 1.0, 1.0, 1.5, 1.5]),
  se: L([0.01, 0.01, 0.01, 0.02, 0.02]),
  as: L([0.05, 0.05, 0.05, 0.1, 0.1]),
  hg: L([0.00005, 0.00005, 0.0001, 0.001, 0.001]),
  cd: L([0.001, 0.005, 0.005, 0.005, 0.01]),
  cr6: L([0.01, 0.05, 0.05, 0.05, 0.1]),
  pb: L([0.01, 0.01, 0.05, 0.05, 0.1]),
  cn: L([0.005, 0.05, 0.2, 0.2, 0.2]),
  volatile_phenol: L([0.002, 0.002, 0.005, 0.01, 0.1]),
  petroleum: L([0.05, 0.05, 0.05, 0.5, 1.0]),
  las: L([0.2, 0.2, 0.2, 0.3, 0.3]),
  sulfide: L([0.05, 0.1, 0.2, 0.5, 1.0]),
  fecal_coliform: L([200, 2000, 10000, 20000, 40000], 'count/L'),
};

export const PH_RANGE: readonly [number, number] = [6, 9];

/**
 * Items left out of the section class (《地表水环境质量评价办法(试行)》环办[2011]22号): water
 * temperature, TN and fecal coliform for rivers. Lakes and reservoirs are classified with TN
 * (the lake/reservoir TN limits), water temperature and fecal coliform are left out.
 */
const EXCLUDED: Record<WaterBody, ReadonlySet<string>> = {
  river: new Set(['water_temp', 'tn', 'fecal_coliform']),
  lake_reservoir: new Set(['water_temp', 'fecal_coliform']),
};

/** Catalogue metric codes that GB 3838-2002 classifies. */
export const GB3838_METRICS: readonly (Gb3838Item & MetricCode)[] = ['ph', 'do', 'codmn', 'cod', 'nh3n', 'tp', 'tn'];

export interface Gb3838Result {
  class: WaterClass;
  /** The limit of the class given (null for pH and worse than V). */
  limit: number | null;
  direction: Limits['direction'];
  unit: string;
  waterBody: WaterBody;
  /** Whether the item counts in the section class for this water body. */
  inSectionClass: boolean;
}

export function limitsOf(item: keyof typeof GB3838_LIMITS, body: WaterBody): Five | null {
  const l = GB3838_LIMITS[item];
  return body === 'lake_reservoir' ? (l.lake ?? l.river) : l.river;
}

/** Class of one value of one item, or null when the standard defines no limit for it here. */
export function classifyWater(item: Gb3838Item, value: number, body: WaterBody): Gb3838Result | null {
  const inSectionClass = !EXCLUDED[body].has(item);
  if (item === 'water_temp') return null;
  if (item === 'ph') {
    const ok = value >= PH_RANGE[0] && value <= PH_RANGE[1];
    return { class: ok ? 'I' : 'worse_than_V', limit: null, direction: 'range', unit: 'pH', waterBody: body, inSectionClass };
  }
  const def = GB3838_LIMITS[item];
  const limits = limitsOf(item, body);
  if (!limits) return null;
  for (let i = 0; i < 5; i++) {
    const lim = limits[i]!;
    if (def.direction === 'min' ? value >= lim : value <= lim) {
      return { class: CLASSES[i]!, limit: lim, direction: def.direction, unit: def.unit, waterBody: body, inSectionClass };
    }
  }
  return { class: 'worse_than_V', limit: null, direction: def.direction, unit: def.unit, waterBody: body, inSectionClass };
}

export const WATER_CLASS_RANK: Readonly<Record<WaterClass, number>> = { I: 1, II: 2, III: 3, IV: 4, V: 5, worse_than_V: 6 };

export function worseClass(a: WaterClass | null, b: WaterClass | null): WaterClass | null {
  if (a === null) return b;
  if (b === null) return a;
  return WATER_CLASS_RANK[b] > WATER_CLASS_RANK[a] ? b : a;
}

export interface SectionClass {
  class: WaterClass | null;
  /** Items at the section class (定类项目), worst first. */
  determining: string[];
  perItem: Record<string, WaterClass>;
}

/** Section class: the worst class among the evaluated items of the official set (单因子评价). */
export function sectionClass(values: Readonly<Partial<Record<Gb3838Item, number>>>, body: WaterBody): SectionClass {
  let worst: WaterClass | null = null;
  const perItem: Record<string, WaterClass> = {};
  for (const [item, v] of Object.entries(values) as [Gb3838Item, number][]) {
    const r = classifyWater(item, v, body);
    if (!r || !r.inSectionClass) continue;
    perItem[item] = r.class;
    worst = worseClass(worst, r.class);
  }
  const determining = worst === null ? [] : Object.keys(perItem).filter((k) => perItem[k] === worst);
  return { class: worst, determining, perItem };
}

export function isGb3838Item(s: string): s is Gb3838Item {
  return s === 'ph' || s === 'water_temp' || Object.hasOwn(GB3838_LIMITS, s);
}
