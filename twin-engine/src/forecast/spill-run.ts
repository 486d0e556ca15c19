import type { ForecastCrossing } from '@basin/schemas';
import { CLASSES, isGb3838Item, limitsOf } from '../standards/gb3838.js';
import { timeReaching, type SpillArrival } from './spill.js';

/** Version of the pollutant-travel model a spill run was made with. */
export const SPILL_MODEL_VERSION = 'advection-dispersion/1';

const WORSE = ['II', 'III', 'IV', 'V', 'worse_than_V'] as const;

/**
 * A spill's predicted class crossings at each target, as the rules read them (`<metric>:<class>`:
 * the plume reaches that GB 3838 class, i.e. passes the limit of the class before it): the time
 * the concentration reaches each river limit, or null when its peak stays at or below it.
 * Metrics without "≤" limits (DO, pH, temperature) give none.
 */
export function spillCrossings(forecastId: string, issuedAt: number, metric: string, arrivals: readonly SpillArrival[]): ForecastCrossing[] {
  if (!isGb3838Item(metric) || metric === 'ph' || metric === 'water_temp' || metric === 'do') return [];
  const limits = limitsOf(metric, 'river');
  if (!limits) return [];
  const out: ForecastCrossing[] = [];
  for (const a of arrivals) {
    CLASSES.forEach((_, i) => {
      const threshold = limits[i]!;
      const at = a.peakMgL > threshold ? timeReaching(a, threshold) : null;
      out.push({ forecastId, station: a.station, level: `${metric}:${WORSE[i]!}`, issuedAt, crossingAt: at, threshold, ...(at !== null ? { value: a.peakMgL } : {}) });
    });
  }
  return out;
}
