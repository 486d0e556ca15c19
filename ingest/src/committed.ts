import type { CommittedAck } from '@basin/schemas';

/**
 * Commit confirmations (`basin/v1/committed/<station>`, see schemas topics.ts): after a batch is
 * committed, the seq numbers it durably handled — readings stored (or already stored), and
 * readings dead-lettered — as sorted, disjoint, inclusive ranges per station. Pure.
 */

/** Largest number of ranges in one confirmation (CommittedAck allows 10,000). */
export const MAX_RANGES = 10_000;

export interface HandledSeqs {
  readings: readonly { station: string; seq: number | null }[];
  handled?: readonly { station: string; seq: number }[];
}

export function committedAcks(batch: Iterable<HandledSeqs>, ts: number): CommittedAck[] {
  const by = new Map<string, number[]>();
  const add = (station: string, seq: number) => {
    const list = by.get(station);
    if (list) list.push(seq);
    else by.set(station, [seq]);
  };
  for (const e of batch) {
    for (const r of e.readings) if (r.seq !== null) add(r.station, r.seq);
    for (const h of e.handled ?? []) add(h.station, h.seq);
  }
  const out: CommittedAck[] = [];
  for (const [station, seqs] of by) {
    const ranges = toRanges(seqs);
    for (let i = 0; i < ranges.length; i += MAX_RANGES) out.push({ v: 1, station, seqs: ranges.slice(i, i + MAX_RANGES), ts });
  }
  return out;
}

/** Sorted, disjoint, inclusive ranges covering the given integers. */
export function toRanges(seqs: number[]): [number, number][] {
  const s = seqs.slice().sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const x of s) {
    const last = out[out.length - 1];
    if (last && x <= last[1] + 1) last[1] = Math.max(last[1], x);
    else out.push([x, x]);
  }
  return out;
}
