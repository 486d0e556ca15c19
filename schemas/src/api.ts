import { z } from 'zod';
import { QualityFlag } from './reading.js';
import { MetricCode } from './metrics.js';

/** Every API error body. `code` is stable (see each package's error catalogue). */
export const ApiError = z.object({
  status: z.number().int().min(400).max(599),
  code: z.string().regex(/^[A-Z][A-Z0-9_]+$/),
  message: z.string(),
  details: z.unknown().optional(),
});
export type ApiError = z.infer<typeof ApiError>;

/** Latest reading per station and metric, as served by GET /api/readings/latest. */
export const LatestReading = z.object({
  station: z.string(),
  metric: MetricCode,
  value: z.number(),
  /** ISO-8601 time of the reading */
  time: z.string(),
  quality: QualityFlag,
  receivedAt: z.string(),
});
export type LatestReading = z.infer<typeof LatestReading>;
