import { forEachRange } from '../meta-range.js';

/**
 * End-to-end delivery tracking (pure, no I/O, injected clock): which outbox records wait for the
 * platform's commit confirmation, and which a `CommittedAck` (schemas/src/topics.ts) completes.
 *
 * A record carries the readings' sequence ranges in its meta (`station:first:last;...`). After
 * the broker's PUBACK it is *awaiting*: it stays in the outbox until every one of its ranges is
 * covered by committed ranges of its stations. Records without ranges (status, registry,
 * hostile test payloads) carry no readings and are confirmed by the PUBACK alone.
 *
 * Confirmations that arrive before the PUBACK is processed (or for a copy sent before a
 * reconnect) are kept per station as a small set of merged intervals, so they are not lost.
 */

export type SeqRange = readonly [from: number, to: number];

export interface Confirmed {
  id: number;
  meta: string;
  bytes: number;
}

interface Part {
  station: string;
  first: number;
  last: number;
  entry: Entry;
}

interface Entry {
  id: number;
  meta: string;
  /** Payload bytes (for the caller's accounting). */
  bytes: number;
  /** Ranges of this record not yet covered. */
  left: number;
  /** When the PUBACK arrived (ms, injected clock); the confirmation timeout counts from here. */
  since: number;
  parts: Part[];
  done: boolean;
}

/** Merged committed intervals kept per station for confirmations that arrive early. */
const COVERAGE_MAX = 64;

export class CommitTracker {
  private readonly entries = new Map<number, Entry>();
  /** Awaiting parts per station. */
  private readonly byStation = new Map<string, Part[]>();
  private readonly coverage = new Map<string, [number, number][]>();
  /** Entries in the order their wait began (for the timeout scan). */
  private queue: Entry[] = [];
  private head = 0;

  /** Records waiting for a confirmation. */
  get awaiting(): number {
    return this.entries.size;
  }

  /**
   * The broker acknowledged record `id`. Returns true when the record is already confirmed
   * (no readings inside, or every range was committed before), false when it must wait.
   */
  await(id: number, meta: string, bytes: number, now: number): boolean {
    const known = this.entries.get(id);
    if (known) {
      known.done = true; // the wait starts again (a copy sent after a requeue)
      this.entries.delete(id);
    }
    const entry: Entry = { id, meta, bytes, left: 0, since: now, parts: [], done: false };
    forEachRange(meta, (station, first, last) => {
      if (this.covered(station, first, last)) return;
      const part: Part = { station, first, last, entry };
      entry.parts.push(part);
      entry.left++;
    });
    if (entry.left === 0) return true;
    for (const p of entry.parts) {
      let list = this.byStation.get(p.station);
      if (!list) this.byStation.set(p.station, (list = []));
      list.push(p);
    }
    this.entries.set(id, entry);
    this.queue.push(entry);
    return false;
  }

  /** A CommittedAck for `station`: returns the records it completes. */
  committed(station: string, seqs: readonly SeqRange[]): Confirmed[] {
    this.addCoverage(station, seqs);
    const list = this.byStation.get(station);
    if (!list) return [];
    const done: Confirmed[] = [];
    const keep: Part[] = [];
    for (const p of list) {
      if (p.entry.done) continue;
      if (!this.covered(station, p.first, p.last)) {
        keep.push(p);
        continue;
      }
      if (--p.entry.left === 0) {
        p.entry.done = true;
        this.entries.delete(p.entry.id);
        done.push({ id: p.entry.id, meta: p.entry.meta, bytes: p.entry.bytes });
      }
    }
    if (keep.length) this.byStation.set(station, keep);
    else this.byStation.delete(station);
    return done;
  }

  /**
   * Records that waited longer than `timeoutMs`: they are forgotten here (the caller sends them
   * again; the next PUBACK starts a new wait). Oldest first.
   */
  expired(now: number, timeoutMs: number): number[] {
    const out: number[] = [];
    while (this.head < this.queue.length) {
      const e = this.queue[this.head]!;
      if (!e.done && now - e.since < timeoutMs) break;
      this.head++;
      if (e.done) continue;
      e.done = true;
      this.entries.delete(e.id);
      out.push(e.id);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (out.length) this.prune();
    return out;
  }

  /** Forget a record (it left the outbox another way). */
  forget(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.done = true;
    this.entries.delete(id);
  }

  private prune(): void {
    for (const [station, list] of this.byStation) {
      const keep = list.filter((p) => !p.entry.done);
      if (keep.length) this.byStation.set(station, keep);
      else this.byStation.delete(station);
    }
  }

  private covered(station: string, first: number, last: number): boolean {
    const cov = this.coverage.get(station);
    if (!cov) return false;
    for (const [a, b] of cov) if (a <= first && last <= b) return true;
    return false;
  }

  private addCoverage(station: string, seqs: readonly SeqRange[]): void {
    const merged = mergeRanges([...(this.coverage.get(station) ?? []), ...seqs]);
    this.coverage.set(station, merged.length > COVERAGE_MAX ? merged.slice(-COVERAGE_MAX) : merged);
  }
}

/** Sort and merge inclusive integer ranges (adjacent ones join). */
export function mergeRanges(ranges: readonly SeqRange[]): [number, number][] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const top = out[out.length - 1];
    if (top && a <= top[1] + 1) top[1] = Math.max(top[1], b);
    else out.push([a, b]);
  }
  return out;
}
