/**
 * Which continuous aggregate serves a resampled series: the finest whose point count over the
 * window stays within `maxPoints` (15 min up to ~2 days, 1 h up to ~1 month, else 1 day).
 */
export const RESOLUTIONS = { '15m': { view: 'readings_15m', ms: 900_000 }, '1h': { view: 'readings_1h', ms: 3_600_000 }, '1d': { view: 'readings_1d', ms: 86_400_000 } } as const;
export type Resolution = keyof typeof RESOLUTIONS;

export function pickResolution(windowMs: number, maxPoints = 1000): Resolution {
  for (const r of ['15m', '1h'] as const) if (windowMs / RESOLUTIONS[r].ms <= maxPoints) return r;
  return '1d';
}
