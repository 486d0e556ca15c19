import type { StreamEventInput } from '../ops/events.js';
import type { StateEvent } from '../state/live.js';

/**
 * Turns live-state changes into live-stream events (pure; no I/O, no clock).
 * - Readings are sampled: at most one `reading` event per station and metric per `sampleMs` bucket
 *   of the reading's own time — the first one this process sees in the bucket.
 * - Online / offline transitions become `station.online` / `station.offline` events.
 * Every event carries a dedup key built only from the data (station, metric, bucket; the reading
 * time and device time a transition rested on), so several twin-engine processes appending the
 * same change write it once.
 */
export class StreamSampler {
  /** Last bucket emitted per `station\0metric`. */
  private readonly lastBucket = new Map<string, number>();

  constructor(private readonly sampleMs: number) {
    if (!(sampleMs > 0)) throw new RangeError('sampleMs must be positive');
  }

  offer(e: StateEvent): StreamEventInput[] {
    return e.type === 'reading' ? this.readings(e) : [transition(e)];
  }

  private readings(e: Extract<StateEvent, { type: 'reading' }>): StreamEventInput[] {
    const out: StreamEventInput[] = [];
    for (const r of e.readings) {
      const key = `${r.station}\0${r.metric}`;
      const bucket = Math.floor(r.ts / this.sampleMs);
      if ((this.lastBucket.get(key) ?? -Infinity) >= bucket) continue;
      this.lastBucket.set(key, bucket);
      out.push({
        topic: 'reading',
        type: 'reading',
        station: r.station,
        dedupKey: `reading:${r.station}:${r.metric}:${bucket}`,
        data: { station: r.station, metric: r.metric, value: r.value, time: new Date(r.ts).toISOString(), quality: r.quality },
      });
    }
    return out;
  }
}

function transition(e: Extract<StateEvent, { type: 'online' }>): StreamEventInput {
  const state = e.online ? 'online' : 'offline';
  return {
    topic: 'station',
    type: `station.${state}`,
    station: e.station,
    dedupKey: `station:${e.station}:${state}:${e.lastTs ?? '-'}:${e.deviceSince ?? '-'}`,
    data: {
      station: e.station,
      online: e.online,
      lastReadingAt: e.lastTs === null ? null : new Date(e.lastTs).toISOString(),
      deviceSince: e.deviceSince === null ? null : new Date(e.deviceSince).toISOString(),
    },
  };
}
