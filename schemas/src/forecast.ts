import { z } from 'zod';
import { ForecastLevel } from './rules.js';

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
