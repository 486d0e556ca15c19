import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES, decodeReadingPayload, encodeReadingBatch, encodeSenml, type Reading } from './reading.js';

const T = Date.parse('2026-07-10T08:00:00Z');
const good: Reading[] = [
  { station: 'hankou', metric: 'water_level', value: 27.5, ts: T, quality: 'not_evaluated', seq: 1 },
  { station: 'hankou', metric: 'discharge', value: 52000, ts: T, quality: 'not_evaluated', seq: 2 },
];

describe('reading wire payloads', () => {
  it('round-trips a JSON batch on a station topic', () => {
    const d = decodeReadingPayload(encodeReadingBatch(good, { station: 'hankou' }), 'hankou');
    expect(d.issues).toEqual([]);
    expect(d.readings).toEqual(good);
  });

  it('round-trips a gateway batch where each reading names its station', () => {
    const d = decodeReadingPayload(encodeReadingBatch(good), null);
    expect(d.readings.map((r) => r.station)).toEqual(['hankou', 'hankou']);
  });

  it('round-trips a SenML pack (RFC 8428) with base name and absolute time', () => {
    const d = decodeReadingPayload(encodeSenml('hankou', good), null);
    expect(d.issues).toEqual([]);
    expect(d.readings).toEqual(good);
  });

  it('accepts SenML names relative to the topic station, base value and ISO times in batches', () => {
    const senml = JSON.stringify([{ bn: '', bt: T / 1000, bv: 20 }, { n: 'water_level', v: 7.5 }, { n: 'discharge', v: 1000, t: 60 }]);
    const d = decodeReadingPayload(senml, 'hankou');
    expect(d.readings.map((r) => [r.metric, r.value, r.ts])).toEqual([
      ['water_level', 27.5, T],
      ['discharge', 1020, T + 60_000],
    ]);
    const iso = decodeReadingPayload(JSON.stringify({ v: 1, readings: [{ metric: 'ph', value: 7.4, ts: '2026-07-10T16:00:00+08:00' }] }), 'wq-zongguan');
    expect(iso.readings[0]?.ts).toBe(T);
  });

  it('keeps the good readings of a batch and reports each bad one with its index', () => {
    const payload = JSON.stringify({
      v: 1,
      readings: [
        { metric: 'water_level', value: 27.5, ts: T },
        { metric: 'unobtainium', value: 1, ts: T },
        { metric: 'ph', value: 'NaN', ts: T },
        { metric: 'ph', value: 7.1, ts: 'yesterday' },
        { metric: 'do', value: 8.1, ts: T, station: 'wuhan-other' },
        { metric: 'do', value: 8.1, ts: T },
      ],
    });
    const d = decodeReadingPayload(payload, 'hankou');
    expect(d.readings.map((r) => r.metric)).toEqual(['water_level', 'do']);
    expect(d.issues.map((i) => [i.index, i.reason])).toEqual([
      [1, 'unknown_metric'],
      [2, 'non_finite_value'],
      [3, 'invalid_payload'],
      [4, 'station_mismatch'],
    ]);
  });

  it.each([
    ['not JSON', '{"v":1,', 'undecodable'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'undecodable'],
    ['a JSON number', '42', 'invalid_payload'],
    ['null', 'null', 'invalid_payload'],
    ['wrong version', JSON.stringify({ v: 2, readings: [{ metric: 'ph', value: 7, ts: T }] }), 'invalid_payload'],
    ['empty readings', JSON.stringify({ v: 1, readings: [] }), 'invalid_payload'],
    ['readings not an array', JSON.stringify({ v: 1, readings: 'x' }), 'invalid_payload'],
    ['oversized', 'x'.repeat(MAX_PAYLOAD_BYTES + 1), 'oversized'],
    ['empty SenML pack', '[]', 'invalid_payload'],
    ['SenML must-understand field', JSON.stringify([{ n: 'ph', v: 7, t: T / 1000, x_: 1 }]), 'unsupported_senml'],
    ['SenML string value', JSON.stringify([{ n: 'ph', vs: 'seven', t: T / 1000 }]), 'unsupported_senml'],
    ['SenML without a station', JSON.stringify([{ n: 'ph', v: 7, t: T / 1000 }]), 'missing_station'],
    ['gateway reading without station', JSON.stringify({ v: 1, readings: [{ metric: 'ph', value: 7, ts: T }] }), 'missing_station'],
    ['prototype pollution attempt', '{"v":1,"readings":[{"__proto__":{"x":1},"metric":"constructor","value":1,"ts":1}]}', 'unknown_metric'],
  ])('rejects %s', (_label, payload, reason) => {
    const d = decodeReadingPayload(payload, null);
    expect(d.readings).toEqual([]);
    expect(d.issues[0]?.reason).toBe(reason);
  });
});
