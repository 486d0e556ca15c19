import { z } from 'zod';
import { METRICS, type MetricCode } from '@basin/schemas';
import { classifyWater, GB3838_METRICS, type Gb3838Item } from './gb3838.js';
import { aqiCategory, iaqi, type AirPollutant } from './hj633.js';
import { classifySoil, type SoilElement } from './gb15618.js';

/** One value to classify under one standard (POST /api/standards/classify). Metric codes are the catalogue's. */
const WaterMetric = z.enum(GB3838_METRICS as [Gb3838Item & MetricCode, ...(Gb3838Item & MetricCode)[]]);
const AirMetric = z.enum(['pm25', 'pm10', 'so2', 'no2', 'co', 'o3']);
const SoilMetric = z.enum(['cd', 'hg', 'as', 'pb', 'cr', 'cu', 'ni', 'zn']);
const Value = z.number().finite().min(0);

export const ClassifyRequest = z.discriminatedUnion('standard', [
  z.object({
    standard: z.literal('GB3838-2002'),
    metric: WaterMetric,
    value: Value,
    waterBody: z.enum(['river', 'lake_reservoir', 'lake', 'reservoir']).default('river'),
  }),
  z.object({
    standard: z.enum(['HJ633-2012', 'HJ633-2026']),
    metric: AirMetric,
    averaging: z.enum(['1h', '8h', '24h']),
    value: Value,
  }),
  z.object({
    standard: z.literal('GB15618-2018'),
    metric: SoilMetric,
    value: Value,
    soilPh: z.number().min(0).max(14),
    landUse: z.enum(['paddy', 'orchard', 'other']),
  }),
]);
export type ClassifyRequest = z.input<typeof ClassifyRequest>;
type Parsed = z.infer<typeof ClassifyRequest>;

export type ClassifyResult = Record<string, unknown> & { standard: string; metric: string; value: number; unit: string };

/** Thrown when the standard defines no class for this combination (e.g. O3 has no 24 h table). */
export class NotClassifiable extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export function classify(req: Parsed): ClassifyResult {
  const base = { standard: req.standard, metric: req.metric, value: req.value, unit: METRICS[req.metric].unit };
  switch (req.standard) {
    case 'GB3838-2002': {
      const body = req.waterBody === 'river' ? 'river' : 'lake_reservoir';
      const r = classifyWater(req.metric, req.value, body);
      if (!r) throw new NotClassifiable('waterBody', `GB 3838-2002 defines no ${req.metric} limits for rivers (TN applies to lakes and reservoirs)`);
      return { ...base, class: r.class, limit: r.limit, direction: r.direction, waterBody: body, inSectionClass: r.inSectionClass };
    }
    case 'HJ633-2012':
    case 'HJ633-2026': {
      const r = iaqi(req.standard, req.metric as AirPollutant, req.averaging, req.value);
      if (!r) throw new NotClassifiable('averaging', `${req.standard} has no ${req.averaging} breakpoints for ${req.metric}`);
      return {
        ...base,
        averaging: req.averaging,
        iaqi: r.iaqi,
        ...(r.iaqi === null ? {} : { category: aqiCategory(r.iaqi) }),
        ...(r.useInstead ? { useInstead: r.useInstead } : {}),
        ...(r.beyondTable ? { beyondTable: true } : {}),
      };
    }
    case 'GB15618-2018': {
      const r = classifySoil(req.metric as SoilElement, req.value, req.soilPh, req.landUse);
      return { ...base, soilPh: req.soilPh, landUse: req.landUse, ...r };
    }
  }
}
