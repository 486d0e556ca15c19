import type { DeviceStatus, Reading } from '@basin/schemas';

/**
 * Merge what one batch holds before anything is written: a key may appear only once in a
 * multi-row upsert (PostgreSQL: "ON CONFLICT DO UPDATE command cannot affect row a second time"),
 * and a repeated reading with a different value is a conflict to record, not a duplicate. Pure.
 */

export interface SourcedReading {
  reading: Reading;
  /** Topic or hj212://MN the reading came from. */
  source: string;
}

export interface MergedReadings {
  readings: Reading[];
  /** Source of each reading (same order). */
  sources: string[];
  /** Exact repeats inside the batch (same key and value). */
  repeats: number;
  /**
   * Same key, different value, inside the batch: not written; compared with the stored value
   * after the insert (the first one is stored unless the key was already stored).
   */
  conflicts: SourcedReading[];
  /**
   * Index in `readings` of the newest reading of each (station, metric) in the batch (one per
   * series): the batch's latest values.
   */
  newest: number[];
}

/** What the merge keeps per (station, metric) while it runs. */
interface SeriesSeen {
  /** index (in the output) of the newest reading so far */
  newest: number;
  maxTs: number;
  /** readings kept, by time: built only once a series goes back in time within the batch */
  byTs: Map<number, Reading> | null;
  kept: Reading[];
}

/**
 * One reading per (station, metric, ts): the first seen is kept. Keys are looked up per station,
 * then per metric, then (only for a series that goes back in time inside the batch) per time:
 * building a joined string key per reading cost more than the rest of the merge (CPU profile).
 */
export function mergeReadings(input: Iterable<SourcedReading>): MergedReadings {
  const out: MergedReadings = { readings: [], sources: [], repeats: 0, conflicts: [], newest: [] };
  const seen = new Map<string, Map<string, SeriesSeen>>();
  for (const sr of input) {
    const r = sr.reading;
    let byMetric = seen.get(r.station);
    if (!byMetric) {
      byMetric = new Map();
      seen.set(r.station, byMetric);
    }
    const s = byMetric.get(r.metric);
    if (!s) {
      byMetric.set(r.metric, { newest: out.readings.length, maxTs: r.ts, byTs: null, kept: [r] });
      out.readings.push(r);
      out.sources.push(sr.source);
      continue;
    }
    if (r.ts > s.maxTs) {
      s.maxTs = r.ts;
      s.newest = out.readings.length;
      s.kept.push(r);
      s.byTs?.set(r.ts, r);
      out.readings.push(r);
      out.sources.push(sr.source);
      continue;
    }
    s.byTs ??= new Map(s.kept.map((k) => [k.ts, k]));
    const first = s.byTs.get(r.ts);
    if (!first) {
      s.byTs.set(r.ts, r);
      s.kept.push(r);
      out.readings.push(r);
      out.sources.push(sr.source);
    } else if (Object.is(first.value, r.value)) {
      out.repeats++;
    } else {
      out.conflicts.push(sr);
    }
  }
  // the newest reading of each series, in order of first appearance
  for (const byMetric of seen.values()) for (const s of byMetric.values()) out.newest.push(s.newest);
  return out;
}

/** The newest status per client (by ts; the later message wins a tie). */
export function mergeStatuses<T extends { client: string; status: DeviceStatus }>(input: Iterable<T>): T[] {
  const by = new Map<string, T>();
  for (const s of input) {
    const cur = by.get(s.client);
    if (!cur || cur.status.ts <= s.status.ts) by.set(s.client, s);
  }
  return [...by.values()];
}

/** The highest version per key (the later item wins a tie). */
export function mergeByVersion<T>(input: Iterable<T>, key: (x: T) => string, version: (x: T) => number): T[] {
  const by = new Map<string, T>();
  for (const x of input) {
    const k = key(x);
    const cur = by.get(k);
    if (!cur || version(cur) <= version(x)) by.set(k, x);
  }
  return [...by.values()];
}
