import { TOPIC_ROOT } from '@basin/schemas';
import type { HostileKind } from '../scenario.js';
import type { SimStation } from '../stations.js';

/**
 * Malformed and hostile messages for testing ingest's validation (opt-in: --allow-hostile).
 * Each kind maps to a dead-letter reason ingest is expected to give (see schemas DecodeIssue).
 */
export function hostilePayload(kind: HostileKind, st: SimStation, t: number, n: number): { topic: string; payload: string | Buffer } {
  const topic = st.groups[0]!.topic;
  const metric = st.metrics[0]!;
  const ok = { metric, value: 1, ts: t };
  switch (kind) {
    case 'not_json':
      return { topic, payload: `{"v":1,"readings":[{"metric":"${metric}","value":1,` };
    case 'not_utf8':
      return { topic, payload: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]) };
    case 'wrong_version':
      return { topic, payload: JSON.stringify({ v: 99, readings: [ok] }) };
    case 'unknown_metric':
      return { topic, payload: JSON.stringify({ v: 1, readings: [{ ...ok, metric: 'plutonium' }] }) };
    case 'non_finite':
      return { topic, payload: `{"v":1,"readings":[{"metric":"${metric}","value":1e999,"ts":${t}}]}` };
    case 'string_value':
      return { topic, payload: JSON.stringify({ v: 1, readings: [{ ...ok, value: 'NaN' }] }) };
    case 'station_mismatch':
      return { topic, payload: JSON.stringify({ v: 1, readings: [{ ...ok, station: st.id === 'hankou' ? 'yichang' : 'hankou' }] }) };
    case 'missing_station':
      return { topic: `${TOPIC_ROOT}/gateways/gw-hostile/readings`, payload: JSON.stringify({ v: 1, readings: [ok] }) };
    case 'oversized':
      return { topic, payload: JSON.stringify({ v: 1, readings: [ok], pad: 'x'.repeat(300 * 1024) }) };
    case 'deep_nesting':
      return { topic, payload: '['.repeat(5000) + ']'.repeat(5000) };
    case 'injection_station':
      return { topic: `${TOPIC_ROOT}/gateways/gw-hostile/readings`, payload: JSON.stringify({ v: 1, readings: [{ ...ok, station: "x'); DROP TABLE readings;--" }] }) };
    case 'future_timestamp':
      return { topic, payload: JSON.stringify({ v: 1, readings: [{ ...ok, ts: t + 365 * 86_400_000 }] }) };
    case 'negative_timestamp':
      return { topic, payload: JSON.stringify({ v: 1, readings: [{ ...ok, ts: -1 }] }) };
    case 'empty_batch':
      return { topic, payload: JSON.stringify({ v: 1, readings: [] }) };
    case 'bad_senml':
      return { topic, payload: JSON.stringify([{ bn: `urn:basin:${st.id}:`, n: metric, vs: 'text', t: t / 1000 }, { n: metric, v: 1, x_: 1 }]) };
    case 'wrong_topic':
      return { topic: `${TOPIC_ROOT}/readings/lava/${st.id}/${n}`, payload: JSON.stringify({ v: 1, readings: [ok] }) };
    case 'huge_batch':
      return { topic, payload: JSON.stringify({ v: 1, readings: Array.from({ length: 5001 }, (_, i) => ({ ...ok, ts: t + i })) }) };
  }
}
