/**
 * A message's meta: the readings it carries, as `station:first:last` ranges of sequence numbers,
 * `;`-separated (one range per station; empty for messages without readings).
 */

/** One range of a meta (filled in by nextRange). */
export interface MetaRange {
  id: string;
  first: number;
  last: number;
}

/**
 * Fills `r` with the first well-formed range of `meta` at or after index `i`; returns the index
 * after it, or -1 when there is none. A loop over it allocates only the station id: the hot path
 * (every message generated and every one confirmed) has no callback per message.
 */
export function nextRange(meta: string, i: number, r: MetaRange): number {
  while (i < meta.length) {
    let j = meta.indexOf(';', i);
    if (j < 0) j = meta.length;
    const c2 = meta.lastIndexOf(':', j - 1);
    const c1 = c2 > i ? meta.lastIndexOf(':', c2 - 1) : -1;
    if (c1 > i) {
      r.id = meta.slice(i, c1);
      r.first = numberAt(meta, c1 + 1, c2);
      r.last = numberAt(meta, c2 + 1, j);
      return j + 1;
    }
    i = j + 1;
  }
  return -1;
}

/** Number(meta.slice(a, b)), without the slice for plain digits. */
function numberAt(meta: string, a: number, b: number): number {
  let n = 0;
  for (let k = a; k < b; k++) {
    const c = meta.charCodeAt(k) - 48;
    if (c < 0 || c > 9 || k - a > 14) return Number(meta.slice(a, b));
    n = n * 10 + c;
  }
  return b > a ? n : Number(meta.slice(a, b));
}

/** Calls `fn` for every `station:first:last` range of a message's meta. */
export function forEachRange(meta: string, fn: (id: string, first: number, last: number) => void): void {
  const r: MetaRange = { id: '', first: 0, last: 0 };
  for (let i = nextRange(meta, 0, r); i >= 0; i = nextRange(meta, i, r)) fn(r.id, r.first, r.last);
}
