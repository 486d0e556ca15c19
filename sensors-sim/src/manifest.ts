import { z } from 'zod';
import { nextRange, type MetaRange } from './meta-range.js';

/**
 * The run's manifest (pure): per station the first and last sequence number and the count of
 * readings published (written to the outbox) and confirmed (left it), for auditing loss end to end.
 */
const Span = z.object({ first: z.number().int().nullable(), last: z.number().int().nullable(), count: z.number().int().min(0) });
export const ManifestEntry = z.object({ published: Span, acknowledged: Span });
export type ManifestEntry = z.infer<typeof ManifestEntry>;
export const Manifest = z.record(z.string(), ManifestEntry);
export type Manifest = z.infer<typeof Manifest>;

export const emptyEntry = (): ManifestEntry => ({ published: { first: null, last: null, count: 0 }, acknowledged: { first: null, last: null, count: 0 } });

/** Readings first..last of station `id` were published; returns how many. */
export function recordPublished(m: Manifest, id: string, first: number, last: number): number {
  const p = (m[id] ??= emptyEntry()).published;
  p.first ??= first;
  p.last = last;
  p.count += last - first + 1;
  return last - first + 1;
}

/**
 * Readings first..last of station `id` were confirmed; returns how many were new. A range
 * confirmed twice (regenerated after a restart of the simulator) counts once; confirmations may
 * come out of order (commit mode: a lost message is sent again later).
 */
export function recordConfirmed(m: Manifest, id: string, first: number, last: number): number {
  const a = (m[id] ??= emptyEntry()).acknowledged;
  if (a.first !== null && a.last !== null && first >= a.first && last <= a.last && a.count >= a.last - a.first + 1) return 0;
  a.first = a.first === null ? first : Math.min(a.first, first);
  a.last = a.last === null ? last : Math.max(a.last, last);
  a.count += last - first + 1;
  return last - first + 1;
}

/** Every `station:first:last` range of a message's meta, published; returns the readings. */
export function publishedMeta(m: Manifest, meta: string): number {
  let n = 0;
  for (let i = nextRange(meta, 0, range); i >= 0; i = nextRange(meta, i, range)) n += recordPublished(m, range.id, range.first, range.last);
  return n;
}

/** Every range of a message's meta, confirmed; returns the newly confirmed readings. */
export function confirmedMeta(m: Manifest, meta: string): number {
  let n = 0;
  for (let i = nextRange(meta, 0, range); i >= 0; i = nextRange(meta, i, range)) n += recordConfirmed(m, range.id, range.first, range.last);
  return n;
}

const range: MetaRange = { id: '', first: 0, last: 0 };
