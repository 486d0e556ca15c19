import { METRICS, type MetricCode } from '@basin/schemas';
import type { SimStation } from '../stations.js';

/** Pre-encoded JSON pieces of one station (the hot path of station mode builds payloads from them). */
export interface StationJson {
  /** Per medium group: `{"v":1,"station":"<id>","readings":[`. */
  head: string[];
  /** Per metric: `{"metric":"<code>","value":`. */
  metric: string[];
  /** Per metric: decimals kept by roundValue (precision + 1). */
  decimals: number[];
  /** The same pieces as UTF-8 bytes (for writeGroupJson). */
  headBytes: Buffer[];
  metricBytes: Buffer[];
  /** Per group: an upper bound of the payload's length in bytes. */
  maxBytes: number[];
}

export function stationJson(st: SimStation): StationJson {
  const head = st.groups.map(() => `{"v":1,"station":${JSON.stringify(st.id)},"readings":[`);
  const metric = st.metrics.map((m) => `{"metric":${JSON.stringify(m)},"value":`);
  const headBytes = head.map((h) => Buffer.from(h));
  // One copy per metric code, shared by every station: stays in the CPU cache (a copy per
  // station, 10,000 stations: a cache miss per reading).
  const metricBytes = metric.map((m) => METRIC_BYTES.get(m) ?? METRIC_BYTES.set(m, Buffer.from(m)).get(m)!);
  return {
    head,
    metric,
    decimals: st.metrics.map((m) => METRICS[m as MetricCode].precision + 1),
    headBytes,
    metricBytes,
    // value ≤ 25 bytes, ts and seq ≤ 22 each, punctuation 16
    maxBytes: st.groups.map((g, gi) => headBytes[gi]!.length + 2 + g.idx.reduce((a, i) => a + metricBytes[i]!.length + 90, 0)),
  };
}

const METRIC_BYTES = new Map<string, Buffer>();

const scratch = new Uint8Array(32);

/** Write the decimal digits of a non-negative integer (< 2^53); returns the end offset. */
function writeUint(buf: Buffer, off: number, a: number): number {
  let len = 1;
  for (let x = a; x >= 10; x = Math.floor(x / 10)) len++;
  let p = off + len;
  let x = a;
  while (p > off) {
    const q = Math.floor(x / 10);
    buf[--p] = 48 + x - q * 10;
    x = q;
  }
  return off + len;
}

/** formatScaled(n, d) written as bytes (no string). */
function writeScaled(buf: Buffer, off: number, n: number, d: number): number {
  if (!Number.isFinite(n) || n === 0 || Math.abs(n) >= 1e15 || d >= 7) return off + buf.write(formatScaled(n, d), off, 'latin1');
  if (n < 0) {
    buf[off++] = 45; // -
    n = -n;
  }
  if (d === 0) return writeUint(buf, off, n);
  let len = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) len++;
  const total = len > d ? len : d + 1;
  let x = n;
  for (let k = total - 1; k >= 0; k--) {
    const q = Math.floor(x / 10);
    scratch[k] = x - q * 10;
    x = q;
  }
  const int = total - d;
  let end = total;
  while (end > int && scratch[end - 1] === 0) end--;
  for (let k = 0; k < int; k++) buf[off++] = 48 + scratch[k]!;
  if (end > int) {
    buf[off++] = 46; // .
    for (let k = int; k < end; k++) buf[off++] = 48 + scratch[k]!;
  }
  return off;
}

/** Copy `src` into `buf` at `off`; returns the end. A loop: Buffer#copy's bounds checks and call
 * into C++ cost more than the copy itself for pieces this short (tens of bytes). */
function put(buf: Buffer, off: number, src: Uint8Array): number {
  const n = src.length;
  for (let k = 0; k < n; k++) buf[off + k] = src[k]!;
  return off + n;
}

/** `,"ts":<ts>,"seq":` as bytes (the same for every reading of a tick: encoded once). */
function tsBytes(ts: number): Uint8Array {
  if (ts !== tsBytesMemo.ts) {
    tsBytesMemo.ts = ts;
    tsBytesMemo.b = Buffer.from(tsPart(ts), 'latin1');
  }
  return tsBytesMemo.b;
}
const tsBytesMemo = { ts: Number.NaN, b: new Uint8Array(0) };

/**
 * encodeGroupJson written straight into `buf` at `off` (room for enc.maxBytes[gi] bytes);
 * returns the end offset. No JS string is built: the hot path of station mode encodes into the
 * outbox's write buffer.
 */
export function writeGroupJson(buf: Buffer, off: number, st: SimStation, enc: StationJson, gi: number, values: readonly number[], ts: number, first: number): number {
  const g = st.groups[gi]!;
  const tsSeq = tsBytes(ts);
  off = put(buf, off, enc.headBytes[gi]!);
  for (let k = 0; k < g.idx.length; k++) {
    const i = g.idx[k]!;
    if (k) buf[off++] = 44; // ,
    off = put(buf, off, enc.metricBytes[i]!);
    const d = enc.decimals[i]!;
    off = writeScaled(buf, off, Math.round(values[i]! * POW[d]!), d);
    off = put(buf, off, tsSeq);
    off = writeUint(buf, off, first + k);
    buf[off++] = 125; // }
  }
  buf[off++] = 93; // ]
  buf[off++] = 125; // }
  return off;
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
