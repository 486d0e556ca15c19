import { z } from 'zod';
import { ForecastLevel } from './rules.js';
import { MetricCode } from './metrics.js';
import { StationId } from './station.js';

/**
 * A predicted crossing of one station's reference level (or pollutant class), as a forecast run
 * hands it to the rule evaluator (`forecast_crossing` conditions). `crossingAt` null: the run
 * does not cross that level within its horizon (a rule that fired on an earlier run may clear).
 */
export const ForecastCrossing = z.object({
  forecastId: z.string().min(1),
  station: z.string().min(1),
  level: ForecastLevel,
  /** Epoch ms the forecast was issued. */
  issuedAt: z.number().int(),
  /** Epoch ms of the predicted crossing, or null. */
  crossingAt: z.number().int().nullable(),
  /** Level value (m, or the class limit) that is crossed. */
  threshold: z.number().optional(),
  /** Predicted value at the crossing, for the evidence. */
  value: z.number().optional(),
});
export type ForecastCrossing = z.infer<typeof ForecastCrossing>;

/** One hourly value of a stored forecast with its ≈90 % band (API `GET /api/forecasts`). */
export const ForecastSeriesPoint = z.object({ validAt: z.string(), leadH: z.number(), value: z.number(), lower: z.number().nullable(), upper: z.number().nullable() });
export type ForecastSeriesPoint = z.infer<typeof ForecastSeriesPoint>;

/** The newest flood forecast of one gauge as the API serves it (the twin-engine writes it, the viewer reads it). */
export const StationForecast = z.object({
  station: z.string(),
  forecastId: z.string(),
  issuedAt: z.string(),
  modelVersion: z.string(),
  series: z.record(z.string(), z.array(ForecastSeriesPoint)).describe('per metric (water_level, discharge): hourly values with their ≈90 % band'),
  crossings: z.array(ForecastCrossing).describe('every reference level in force with its predicted crossing time (epoch ms), null when not crossed within the horizon'),
});
export type StationForecast = z.infer<typeof StationForecast>;

/** One stored forecast run, as announced to subscribers (`onForecast`). */
export const ForecastRunInfo = z.object({
  id: z.string().min(1),
  kind: z.enum(['flood', 'spill']),
  issuedAt: z.number().int(),
  modelVersion: z.string().min(1),
  horizonH: z.number().int().positive(),
  crossings: z.array(ForecastCrossing),
});
export type ForecastRunInfo = z.infer<typeof ForecastRunInfo>;

/**
 * A declared spill for the pollutant-travel forecast (`POST /api/forecasts/spill`): where (a
 * station, or a river and river-km), when, how long and how much. Omitted transport parameters
 * take the twin's estimates (velocity 1.2 m/s, dispersion, decay; see twin-engine forecast/spill.ts).
 */
export const SpillRequest = z
  .object({
    station: StationId.optional().describe('spill at this station'),
    river: z.enum(['Yangtze', 'Han']).optional(),
    km: z.number().min(-100).max(2000).optional().describe('river-km of the outfall (with river)'),
    at: z.iso.datetime({ offset: true }).describe('start of the release'),
    durationH: z.number().positive().max(240).default(1),
    massKg: z.number().positive().max(1e8).describe('mass released, kg'),
    metric: MetricCode.default('nh3n').describe('the pollutant (its GB 3838 class III limit is the default threshold)'),
    bank: z.enum(['left', 'right']).nullable().default(null).describe('bank of the outfall facing downstream; null: mixed across at once'),
    thresholdMgL: z.number().positive().nullable().optional().describe('concentration of concern, mg/L; default the class III limit'),
    velocityMs: z.number().positive().max(5).optional(),
    dispersionM2s: z.number().positive().max(1e5).optional(),
    decayPerDay: z.number().min(0).max(10).optional(),
  })
  .refine((s) => (s.station !== undefined) !== (s.river !== undefined && s.km !== undefined), { message: 'give either station, or river and km', path: ['station'] });
export type SpillRequest = z.infer<typeof SpillRequest>;
export type SpillRequestInput = z.input<typeof SpillRequest>;
