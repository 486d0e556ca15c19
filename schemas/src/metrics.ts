import { z } from 'zod';

/** Environmental medium a metric belongs to. */
export const Medium = z.enum(['water', 'air', 'soil', 'hydro']);
export type Medium = z.infer<typeof Medium>;

export const METRIC_CODES = [
  // hydrology
  'water_level', 'discharge', 'inflow', 'outflow', 'rainfall',
  // surface water quality (GB 3838-2002 items + field parameters)
  'water_temp', 'ph', 'do', 'conductivity', 'turbidity', 'codmn', 'cod', 'nh3n', 'tp', 'tn',
  // ambient air (HJ 633)
  'pm25', 'pm10', 'so2', 'no2', 'co', 'o3', 'air_temp', 'humidity',
  // meteorology at air stations (HJ 212 a01006 / a01007 / a01008)
  'pressure', 'wind_speed', 'wind_dir',
  // soil (GB 15618-2018)
  'soil_moisture', 'soil_temp', 'soil_ph', 'cd', 'hg', 'as', 'pb', 'cr', 'cu', 'ni', 'zn',
] as const;

export const MetricCode = z.enum(METRIC_CODES);
export type MetricCode = z.infer<typeof MetricCode>;

export const MetricDef = z.object({
  code: MetricCode,
  nameZh: z.string().min(1),
  nameEn: z.string().min(1),
  /** SenML / UCUM unit string. */
  unit: z.string().min(1),
  medium: Medium,
  /** Physically valid range: values outside are rejected (dead-lettered) by ingest. */
  validMin: z.number(),
  validMax: z.number(),
  /** Decimal places for display. */
  precision: z.number().int().min(0).max(6),
});
export type MetricDef = z.infer<typeof MetricDef>;

type Row = [MetricCode, string, string, string, Medium, number, number, number];

// Valid ranges are physical plausibility bounds (instrument / nature limits), not standard limits.
const ROWS: Row[] = [
  ['water_level', '水位', 'Water level', 'm', 'hydro', -10, 250, 2],
  ['discharge', '流量', 'Discharge', 'm3/s', 'hydro', 0, 150000, 0],
  ['inflow', '入库流量', 'Reservoir inflow', 'm3/s', 'hydro', 0, 150000, 0],
  ['outflow', '出库流量', 'Reservoir outflow', 'm3/s', 'hydro', 0, 150000, 0],
  ['rainfall', '降雨量', 'Rainfall', 'mm', 'hydro', 0, 500, 1],
  ['water_temp', '水温', 'Water temperature', 'Cel', 'water', -2, 45, 1],
  ['ph', 'pH值', 'pH', '[pH]', 'water', 0, 14, 2],
  ['do', '溶解氧', 'Dissolved oxygen', 'mg/L', 'water', 0, 25, 2],
  ['conductivity', '电导率', 'Conductivity', 'uS/cm', 'water', 0, 10000, 0],
  ['turbidity', '浊度', 'Turbidity', '[NTU]', 'water', 0, 4000, 1],
  ['codmn', '高锰酸盐指数', 'Permanganate index (CODMn)', 'mg/L', 'water', 0, 100, 2],
  ['cod', '化学需氧量', 'Chemical oxygen demand (COD)', 'mg/L', 'water', 0, 1000, 1],
  ['nh3n', '氨氮', 'Ammonia nitrogen (NH3-N)', 'mg/L', 'water', 0, 50, 3],
  ['tp', '总磷', 'Total phosphorus (TP)', 'mg/L', 'water', 0, 10, 3],
  ['tn', '总氮', 'Total nitrogen (TN)', 'mg/L', 'water', 0, 50, 2],
  ['pm25', '细颗粒物', 'PM2.5', 'ug/m3', 'air', 0, 1500, 0],
  ['pm10', '可吸入颗粒物', 'PM10', 'ug/m3', 'air', 0, 3000, 0],
  ['so2', '二氧化硫', 'Sulphur dioxide (SO2)', 'ug/m3', 'air', 0, 5000, 0],
  ['no2', '二氧化氮', 'Nitrogen dioxide (NO2)', 'ug/m3', 'air', 0, 4000, 0],
  ['co', '一氧化碳', 'Carbon monoxide (CO)', 'mg/m3', 'air', 0, 150, 2],
  ['o3', '臭氧', 'Ozone (O3)', 'ug/m3', 'air', 0, 1500, 0],
  ['air_temp', '气温', 'Air temperature', 'Cel', 'air', -40, 50, 1],
  ['humidity', '相对湿度', 'Relative humidity', '%RH', 'air', 0, 100, 0],
  ['pressure', '气压', 'Air pressure', 'kPa', 'air', 50, 110, 1],
  ['wind_speed', '风速', 'Wind speed', 'm/s', 'air', 0, 75, 1],
  ['wind_dir', '风向', 'Wind direction', 'deg', 'air', 0, 360, 0],
  ['soil_moisture', '土壤含水量', 'Soil moisture (volumetric)', '%', 'soil', 0, 100, 1],
  ['soil_temp', '土壤温度', 'Soil temperature', 'Cel', 'soil', -30, 70, 1],
  ['soil_ph', '土壤pH', 'Soil pH', '[pH]', 'soil', 0, 14, 2],
  ['cd', '镉', 'Cadmium (Cd)', 'mg/kg', 'soil', 0, 100, 3],
  ['hg', '汞', 'Mercury (Hg)', 'mg/kg', 'soil', 0, 50, 3],
  ['as', '砷', 'Arsenic (As)', 'mg/kg', 'soil', 0, 1000, 2],
  ['pb', '铅', 'Lead (Pb)', 'mg/kg', 'soil', 0, 5000, 1],
  ['cr', '铬', 'Chromium (Cr)', 'mg/kg', 'soil', 0, 5000, 1],
  ['cu', '铜', 'Copper (Cu)', 'mg/kg', 'soil', 0, 5000, 1],
  ['ni', '镍', 'Nickel (Ni)', 'mg/kg', 'soil', 0, 2000, 1],
  ['zn', '锌', 'Zinc (Zn)', 'mg/kg', 'soil', 0, 10000, 1],
];

export const METRICS: Readonly<Record<MetricCode, MetricDef>> = Object.freeze(
  Object.fromEntries(
    ROWS.map(([code, nameZh, nameEn, unit, medium, validMin, validMax, precision]) => [
      code,
      MetricDef.parse({ code, nameZh, nameEn, unit, medium, validMin, validMax, precision }),
    ]),
  ) as Record<MetricCode, MetricDef>,
);

export function metricsOfMedium(medium: Medium): MetricDef[] {
  return Object.values(METRICS).filter((m) => m.medium === medium);
}

export function isMetricCode(s: string): s is MetricCode {
  return Object.hasOwn(METRICS, s);
}

/** Valid range of a metric at a station: `station` when derived from the station's own levels. */
export interface ValidRange {
  min: number;
  max: number;
  /** Plausible (climatological) span inside [min, max]; values outside are suspect, not invalid. */
  suspect: [number, number] | null;
  basis: 'station' | 'metric';
}

/**
 * Stage margins around a station's reference levels (m). The lowest stage seen at Hankou (14.46 m,
 * 2021) lies 12.8 m below its warning level (27.3 m) and reservoirs draw down ~30 m (Three Gorges
 * 175 → 145 m): 40 m below the lowest reference level and 15 m above the highest (or the
 * historical maximum) only reject wrong-datum or garbage values. Inside, more than 25 m below /
 * 3 m above the historical maximum is suspect.
 */
export const WATER_LEVEL_MARGIN = { below: 40, above: 15, suspectBelow: 25, suspectAbove: 3 } as const;

/**
 * Valid range of `metric` at `station`. Water level is ranged per station from the station's
 * reference levels (so Enshi at 415.5 m is valid while the global −10…250 m still bounds stations
 * without levels); every other metric uses its physical range (METRICS).
 */
export function validRange(station: { referenceLevels?: { levels: { value: number }[]; historicalMax: { value: number } | null } | null } | null | undefined, metric: MetricCode): ValidRange {
  const m = METRICS[metric];
  const ref = metric === 'water_level' ? station?.referenceLevels : null;
  const values = ref ? [...ref.levels.map((l) => l.value), ...(ref.historicalMax ? [ref.historicalMax.value] : [])] : [];
  if (values.length === 0) return { min: m.validMin, max: m.validMax, suspect: null, basis: 'metric' };
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const M = WATER_LEVEL_MARGIN;
  return { min: lo - M.below, max: hi + M.above, suspect: [lo - M.suspectBelow, hi + M.suspectAbove], basis: 'station' };
}
