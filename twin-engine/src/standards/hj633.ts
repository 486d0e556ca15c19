/**
 * HJ 633 ambient air quality index (AQI). HJ 633-2012 applies to data before 2026-03-01 (China
 * Standard Time) and HJ 633-2026 from then on (schemas/data/domain/domain-facts.json
 * `aqi_hj633_2012`, `aqi_hj633_2026`, `aqi_common`).
 * 2026 changes: PM2.5 24 h IAQI-100 node 75 -> 60 µg/m³, PM10 24 h 150 -> 120 µg/m³; SO2 1 h
 * above 800 µg/m³ gets IAQI 200 and O3 8 h above 800 µg/m³ gets IAQI 300 (2012: not computed,
 * use SO2 24 h / O3 1 h instead). IAQI rounds up to an integer (ceil) in both.
 */
export type Hj633Version = 'HJ633-2012' | 'HJ633-2026';
export type AirPollutant = 'so2' | 'no2' | 'pm10' | 'pm25' | 'co' | 'o3';
export type Averaging = '1h' | '8h' | '24h';

/** First instant of HJ 633-2026: 2026-03-01 00:00 China Standard Time. */
export const HJ633_2026_FROM = Date.parse('2026-03-01T00:00:00+08:00');

export function hj633VersionAt(t: number): Hj633Version {
  return t >= HJ633_2026_FROM ? 'HJ633-2026' : 'HJ633-2012';
}

export const IAQI_STEPS = [0, 50, 100, 150, 200, 300, 400, 500] as const;

type Table = readonly number[];
const COMMON: Readonly<Record<string, Table>> = {
  'so2:24h': [0, 50, 150, 475, 800, 1600, 2100, 2620],
  'so2:1h': [0, 150, 500, 650, 800],
  'no2:24h': [0, 40, 80, 180, 280, 565, 750, 940],
  'no2:1h': [0, 100, 200, 700, 1200, 2340, 3090, 3840],
  'co:24h': [0, 2, 4, 14, 24, 36, 48, 60],
  'co:1h': [0, 5, 10, 35, 60, 90, 120, 150],
  'o3:1h': [0, 160, 200, 300, 400, 800, 1000, 1200],
  'o3:8h': [0, 100, 160, 215, 265, 800],
};
export const BREAKPOINTS: Readonly<Record<Hj633Version, Readonly<Record<string, Table>>>> = {
  'HJ633-2012': { ...COMMON, 'pm10:24h': [0, 50, 150, 250, 350, 420, 500, 600], 'pm25:24h': [0, 35, 75, 115, 150, 250, 350, 500] },
  'HJ633-2026': { ...COMMON, 'pm10:24h': [0, 50, 120, 250, 350, 420, 500, 600], 'pm25:24h': [0, 35, 60, 115, 150, 250, 350, 500] },
};

export interface IaqiResult {
  /** Integer IAQI, or null when the standard does not compute it (then see `useInstead`). */
  iaqi: number | null;
  version: Hj633Version;
  pollutant: AirPollutant;
  averaging: Averaging;
  /** Averaging period whose IAQI replaces this one (HJ 633-2012 SO2 1 h / O3 8 h above 800). */
  useInstead?: Averaging;
  /** The concentration is above the highest breakpoint (IAQI capped at 500). */
  beyondTable?: boolean;
}

/** Breakpoints of a pollutant and averaging period; PM 1 h values use the 24 h table. */
export function breakpointsOf(version: Hj633Version, pollutant: AirPollutant, averaging: Averaging): Table | null {
  const avg = (pollutant === 'pm25' || pollutant === 'pm10') && averaging === '1h' ? '24h' : averaging;
  return BREAKPOINTS[version][`${pollutant}:${avg}`] ?? null;
}

/** Round up to an integer, ignoring floating-point noise at the breakpoints. */
const ceilInt = (x: number) => Math.max(0, Math.ceil(x - 1e-9));

export function iaqi(version: Hj633Version, pollutant: AirPollutant, averaging: Averaging, c: number): IaqiResult | null {
  const bp = breakpointsOf(version, pollutant, averaging);
  if (!bp) return null;
  const base = { version, pollutant, averaging };
  const top = bp[bp.length - 1]!;
  if (c > top) {
    if (pollutant === 'so2' && averaging === '1h') return version === 'HJ633-2026' ? { ...base, iaqi: 200 } : { ...base, iaqi: null, useInstead: '24h' };
    if (pollutant === 'o3' && averaging === '8h') return version === 'HJ633-2026' ? { ...base, iaqi: 300 } : { ...base, iaqi: null, useInstead: '1h' };
    return { ...base, iaqi: 500, beyondTable: true };
  }
  for (let i = 1; i < bp.length; i++) {
    const hi = bp[i]!;
    if (c <= hi) {
      const lo = bp[i - 1]!;
      const ilo = IAQI_STEPS[i - 1]!;
      const ihi = IAQI_STEPS[i]!;
      return { ...base, iaqi: ceilInt(((ihi - ilo) / (hi - lo)) * (c - lo) + ilo) };
    }
  }
  return { ...base, iaqi: 0 };
}

export interface AqiCategory {
  level: 1 | 2 | 3 | 4 | 5 | 6;
  levelZh: string;
  categoryZh: string;
  category: 'excellent' | 'good' | 'lightly_polluted' | 'moderately_polluted' | 'heavily_polluted' | 'severely_polluted';
  colour: string;
  colourZh: string;
}

const CATEGORIES: readonly (AqiCategory & { max: number })[] = [
  { max: 50, level: 1, levelZh: '一级', categoryZh: '优', category: 'excellent', colour: '#00E400', colourZh: '绿色' },
  { max: 100, level: 2, levelZh: '二级', categoryZh: '良', category: 'good', colour: '#FFFF00', colourZh: '黄色' },
  { max: 150, level: 3, levelZh: '三级', categoryZh: '轻度污染', category: 'lightly_polluted', colour: '#FF7E00', colourZh: '橙色' },
  { max: 200, level: 4, levelZh: '四级', categoryZh: '中度污染', category: 'moderately_polluted', colour: '#FF0000', colourZh: '红色' },
  { max: 300, level: 5, levelZh: '五级', categoryZh: '重度污染', category: 'heavily_polluted', colour: '#99004C', colourZh: '紫色' },
  { max: Infinity, level: 6, levelZh: '六级', categoryZh: '严重污染', category: 'severely_polluted', colour: '#7E0023', colourZh: '褐红色' },
];

export function aqiCategory(aqi: number): AqiCategory {
  const c = CATEGORIES.find((x) => aqi <= x.max)!;
  const { max: _max, ...cat } = c;
  return cat;
}

export interface AqiInput {
  pollutant: AirPollutant;
  averaging: Averaging;
  value: number;
}

export interface AqiResult {
  aqi: number;
  version: Hj633Version;
  category: AqiCategory;
  /** 首要污染物: the pollutants with the highest IAQI when AQI > 50. */
  primary: AirPollutant[];
  /** 超标污染物 (HJ 633-2012 only): IAQI > 100. */
  exceeding: AirPollutant[];
  iaqi: IaqiResult[];
}

/**
 * AQI of a set of concentrations: the highest IAQI. IAQI not computed by the standard are
 * replaced by the IAQI of the averaging period it names when that value is among the inputs.
 * Returns null when no input has an IAQI.
 */
export function aqi(version: Hj633Version, inputs: readonly AqiInput[]): AqiResult | null {
  const results: IaqiResult[] = [];
  for (const x of inputs) {
    const r = iaqi(version, x.pollutant, x.averaging, x.value);
    if (!r) continue;
    if (r.iaqi === null && r.useInstead) {
      const alt = inputs.find((y) => y.pollutant === x.pollutant && y.averaging === r.useInstead);
      if (!alt) continue;
      const altR = iaqi(version, alt.pollutant, alt.averaging, alt.value);
      if (altR && !results.some((q) => q.pollutant === altR.pollutant && q.averaging === altR.averaging)) results.push(altR);
      continue;
    }
    if (!results.some((q) => q.pollutant === r.pollutant && q.averaging === r.averaging)) results.push(r);
  }
  const valued = results.filter((r): r is IaqiResult & { iaqi: number } => r.iaqi !== null);
  if (valued.length === 0) return null;
  const value = Math.max(...valued.map((r) => r.iaqi));
  const primary = value > 50 ? [...new Set(valued.filter((r) => r.iaqi === value).map((r) => r.pollutant))] : [];
  const exceeding = version === 'HJ633-2012' ? [...new Set(valued.filter((r) => r.iaqi > 100).map((r) => r.pollutant))] : [];
  return { aqi: value, version, category: aqiCategory(value), primary, exceeding, iaqi: results };
}

export function isAirPollutant(s: string): s is AirPollutant {
  return s === 'so2' || s === 'no2' || s === 'pm10' || s === 'pm25' || s === 'co' || s === 'o3';
}
