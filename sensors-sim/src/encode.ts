import { METRICS, type MetricCode } from '@basin/schemas';
import type { SimStation } from './stations.js';

/** Pre-encoded JSON pieces of one station (the hot path of station mode builds payloads from them). */
export interface StationJson {
  /** Per medium group: `{"v":1,"station":"<id>","readings":[`. */
  head: string[];
  /** Per metric: `{"metric":"<code>","value":`. */
  metric: string[];
  /** Per metric: decimals kept by roundValue (precision + 1). */
  decimals: number[];
}

export function stationJson(st: SimStation): StationJson {
  return {
    head: st.groups.map(() => `{"v":1,"station":${JSON.stringify(st.id)},"readings":[`),
    metric: st.metrics.map((m) => `{"metric":${JSON.stringify(m)},"value":`),
    decimals: st.metrics.map((m) => METRICS[m as MetricCode].precision + 1),
  };
}

/**
 * The JSON text of `encodeReadingBatch(readings, { station })` for medium group `gi` of a station
 * (values rounded with roundValue, sequence numbers first, first + 1, …), without building
 * Reading objects. Byte-identical to the schemas encoder (see encode.test.ts).
 */
export function encodeGroupJson(st: SimStation, enc: StationJson, gi: number, values: readonly number[], ts: number, first: number): string {
  const g = st.groups[gi]!;
  const tsSeq = tsPart(ts);
  let payload = enc.head[gi]!;
  for (let k = 0; k < g.idx.length; k++) {
    const i = g.idx[k]!;
    const d = enc.decimals[i]!;
    payload += `${k ? ',' : ''}${enc.metric[i]!}${formatScaled(Math.round(values[i]! * POW[d]!), d)}${tsSeq}${first + k}}`;
  }
  return `${payload}]}`;
}

const POW = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8];

/**
 * JSON text of n / 10^d for an integer n (what JSON.stringify(roundValue(…)) prints: shortest
 * round-trip form, trailing zeros dropped, null for non-finite), without a float-to-string
 * conversion (about twice as fast). Falls back to String() where that would use exponent notation
 * or exceed 15 digits.
 */
export function formatScaled(n: number, d: number): string {
  if (!Number.isFinite(n)) return 'null';
  if (n === 0) return '0';
  const neg = n < 0;
  const a = neg ? -n : n;
  if (a >= 1e15 || d >= 7) return String(n / POW[d]!);
  let s = String(a);
  if (d === 0) return neg ? `-${s}` : s;
  while (s.length <= d) s = `0${s}`;
  const cut = s.length - d;
  let e = s.length;
  while (s.charCodeAt(e - 1) === 48) e--;
  const r = e > cut ? `${s.slice(0, cut)}.${s.slice(cut, e)}` : s.slice(0, cut);
  return neg ? `-${r}` : r;
}

/** `,"ts":<ts>,"seq":` (the same for every reading of a tick: converted once). */
function tsPart(ts: number): string {
  if (ts !== tsMemo.ts) {
    tsMemo.ts = ts;
    tsMemo.s = `,"ts":${ts},"seq":`;
  }
  return tsMemo.s;
}
const tsMemo = { ts: Number.NaN, s: '' };
