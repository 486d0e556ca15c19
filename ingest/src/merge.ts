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
}

const readingKey = (r: Reading) => `${r.station}\u0000${r.metric}\u0000${r.ts}`;

/** One reading per (station, metric, ts): the first seen is kept. */
export function mergeReadings(input: Iterable<SourcedReading>): MergedReadings {
  const out: MergedReadings = { readings: [], sources: [], repeats: 0, conflicts: [] };
  const seen = new Map<string, Reading>();
  for (const { reading: r, source } of input) {
    const k = readingKey(r);
    const first = seen.get(k);
    if (!first) {
      seen.set(k, r);
      out.readings.push(r);
      out.sources.push(source);
    } else if (Object.is(first.value, r.value)) {
      out.repeats++;
    } else {
      out.conflicts.push({ reading: r, source });
    }
  }
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
