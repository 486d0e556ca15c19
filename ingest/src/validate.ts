import { METRICS, validRange, type Reading, type Station } from '@basin/schemas';
import type { DeadLetterReason } from './errors.js';

export interface ValidationLimits {
  maxFutureMs: number;
  maxPastMs: number;
}

export interface Rejection {
  reason: DeadLetterReason;
  detail: string;
  reading: Reading;
}

/**
 * Check a decoded reading against the station registry, the metric's physical range and the
 * accepted time window. Returns null when the reading may be stored.
 */
export function validateReading(r: Reading, stations: ReadonlyMap<string, Station>, limits: ValidationLimits, now: number): Rejection | null {
  const station = stations.get(r.station);
  if (!station) return { reason: 'unknown_station', detail: `station ${r.station} is not registered`, reading: r };
  if (!station.metrics.includes(r.metric)) {
    return { reason: 'metric_not_at_station', detail: `station ${r.station} does not report ${r.metric}`, reading: r };
  }
  // per-station range (water level from the station's reference levels), else the metric's (read
  // directly: validRange allocates its answer, a cost per reading)
  const m = METRICS[r.metric];
  if (r.metric === 'water_level' || r.value < m.validMin || r.value > m.validMax) {
    const range = validRange(station, r.metric);
    if (r.value < range.min || r.value > range.max) {
      return { reason: 'out_of_range', detail: `${r.metric} ${r.value} outside [${range.min}, ${range.max}] ${m.unit} (${range.basis} range)`, reading: r };
    }
  }
  if (r.ts > now + limits.maxFutureMs) {
    return { reason: 'future_timestamp', detail: `timestamp ${new Date(r.ts).toISOString()} is ${Math.round((r.ts - now) / 1000)} s in the future`, reading: r };
  }
  if (r.ts < now - limits.maxPastMs) {
    return { reason: 'stale_timestamp', detail: `timestamp ${safeIso(r.ts)} is older than the accepted window`, reading: r };
  }
  return null;
}

function safeIso(ts: number): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? String(ts) : d.toISOString();
}
