import type { MetricCode } from '@basin/schemas';
import { roundValue } from './signals.js';
import type { SimStation } from './stations.js';

/** Pre-encoded JSON pieces of one station (the hot path of station mode builds payloads from them). */
export interface StationJson {
  /** Per medium group: `{"v":1,"station":"<id>","readings":[`. */
  head: string[];
  /** Per metric: `{"metric":"<code>","value":`. */
  metric: string[];
}

export function stationJson(st: SimStation): StationJson {
  return {
    head: st.groups.map(() => `{"v":1,"station":${JSON.stringify(st.id)},"readings":[`),
    metric: st.metrics.map((m) => `{"metric":${JSON.stringify(m)},"value":`),
  };
}

/**
 * The JSON text of `encodeReadingBatch(readings, { station })` for medium group `gi` of a station
 * (values rounded with roundValue, sequence numbers first, first + 1, …), without building
 * Reading objects. Byte-identical to the schemas encoder (see encode.test.ts).
 */
export function encodeGroupJson(st: SimStation, enc: StationJson, gi: number, values: readonly number[], ts: number, first: number): string {
  const g = st.groups[gi]!;
  let payload = enc.head[gi]!;
  for (let k = 0; k < g.idx.length; k++) {
    const i = g.idx[k]!;
    const x = roundValue(st.metrics[i] as MetricCode, values[i]!);
    payload += `${k ? ',' : ''}${enc.metric[i]!}${Number.isFinite(x) ? x : 'null'},"ts":${ts},"seq":${first + k}}`;
  }
  return `${payload}]}`;
}
