import type { MetricCode, QualityFlag } from '@basin/schemas';
import type { Observation } from './types.js';

export interface Sample {
  value: number;
  ts: number;
  quality: QualityFlag;
}

export type RecordResult = 'new' | 'late' | 'failed';

/**
 * The readings the rules look at: the newest sample per station and metric (by reading time), the
 * newest that passed QC outright, and a short history for rate-of-change rules. QC-failed readings
 * are never recorded (they neither raise nor clear alerts); a reading older than the newest one of
 * its station and metric is late and changes nothing (no flapping on out-of-order delivery).
 */
export class ReadingMemory {
  // station -> metric -> sample (nested maps: no key strings built on the hot path)
  private readonly latest = new Map<string, Map<MetricCode, Sample>>();
  private readonly latestPass = new Map<string, Map<MetricCode, Sample>>();
  private readonly history = new Map<string, Map<MetricCode, Sample[]>>();

  /** `historyMs`: how far back rate-of-change windows reach, per metric (only those are kept). */
  constructor(private readonly historyMs: ReadonlyMap<MetricCode, number> = new Map()) {}

  record(o: Observation): RecordResult {
    if (o.quality === 'fail') return 'failed';
    const latest = inner(this.latest, o.station);
    const prev = latest.get(o.metric);
    if (prev && o.ts <= prev.ts) return 'late';
    const s: Sample = { value: o.value, ts: o.ts, quality: o.quality };
    latest.set(o.metric, s);
    if (o.quality !== 'suspect') inner(this.latestPass, o.station).set(o.metric, s);
    const keep = this.historyMs.get(o.metric);
    if (keep !== undefined) {
      const hs = inner(this.history, o.station);
      const h = hs.get(o.metric) ?? [];
      h.push(s);
      let drop = 0;
      while (drop < h.length - 1 && h[drop]!.ts < o.ts - keep) drop++;
      if (drop > 0) h.splice(0, drop);
      hs.set(o.metric, h);
    }
    return 'new';
  }

  /** Carries the latest values over into a memory with other history windows. */
  copyLatestInto(other: ReadingMemory): void {
    for (const [k, v] of this.latest) other.latest.set(k, new Map(v));
    for (const [k, v] of this.latestPass) other.latestPass.set(k, new Map(v));
  }

  /** Newest usable sample: suspect ones count only when the rule accepts them. */
  get(station: string, metric: MetricCode, acceptSuspect: boolean): Sample | undefined {
    return (acceptSuspect ? this.latest : this.latestPass).get(station)?.get(metric);
  }

  /** Usable samples of the last `ms` before the newest one, oldest first. */
  window(station: string, metric: MetricCode, ms: number, acceptSuspect: boolean): Sample[] {
    const h = this.history.get(station)?.get(metric);
    if (!h || h.length === 0) return [];
    const end = h[h.length - 1]!.ts;
    return h.filter((s) => s.ts >= end - ms && (acceptSuspect || s.quality !== 'suspect'));
  }
}

function inner<V>(m: Map<string, Map<MetricCode, V>>, station: string): Map<MetricCode, V> {
  let i = m.get(station);
  if (!i) m.set(station, (i = new Map()));
  return i;
}
