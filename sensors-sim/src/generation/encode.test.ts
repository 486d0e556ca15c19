import { describe, expect, it } from 'vitest';
import { encodeReadingBatch, type Reading } from '@basin/schemas';
import { encodeGroupJson, formatScaled, stationJson, writeGroupJson } from './encode.js';
import { resolveScenario } from '../scenario.js';
import { roundValue, SignalModel } from '../signals.js';
import { selectStations } from '../stations.js';

describe('station-mode JSON encoder', () => {
  it('is byte-identical to encodeReadingBatch for every station, group and value (incl. non-finite)', () => {
    const T0 = Date.UTC(2026, 6, 1);
    const model = new SignalModel(resolveScenario('faults'), 3, T0, 60_000);
    let n = 0;
    for (const st of selectStations({ seed: 3, count: 300 })) {
      const enc = stationJson(st);
      for (let k = 0; k < 5; k++) {
        const t = T0 + k * 3_600_000;
        const v = [...model.sample(st, t)];
        if (k === 4) v[0] = Number.NaN;
        let first = 1 + k * 100;
        st.groups.forEach((g, gi) => {
          const readings: Reading[] = g.idx.map((i, j) => ({ station: st.id, metric: st.metrics[i]!, value: roundValue(st.metrics[i]!, v[i]!), ts: t, quality: 'not_evaluated', seq: first + j }));
          const want = encodeReadingBatch(readings, { station: st.id });
          expect(encodeGroupJson(st, enc, gi, v, t, first)).toBe(want);
          const buf = Buffer.alloc(enc.maxBytes[gi]! + 8, 0xee);
          const end = writeGroupJson(buf, 3, st, enc, gi, v, t, first);
          expect(end - 3).toBeLessThanOrEqual(enc.maxBytes[gi]!);
          expect(buf.toString('utf8', 3, end)).toBe(want);
          first += g.idx.length;
          n++;
        });
      }
    }
    expect(n).toBeGreaterThan(1500);
  });

  it('formats scaled integers exactly like JSON.stringify of the rounded double', () => {
    const stations = selectStations({ seed: 3, count: 50 });
    const encs = stations.map(stationJson);
    let x = 12345;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    // One expect at the end (an expect per case made this test slow on a loaded machine).
    const bad: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const d = i % 9;
      const v = (rnd() - 0.3) * 10 ** ((i % 13) - 5);
      const p = 10 ** d;
      const n = Math.round(v * p);
      const want = JSON.stringify(n / p) ?? 'null';
      if (formatScaled(n, d) !== want) bad.push(`${n}/10^${d}: ${formatScaled(n, d)} != ${want}`);
      // the byte writer, through a one-reading group
      if (i % 7 === 0) {
        const st = stations[i % stations.length]!;
        const enc = encs[i % stations.length]!;
        const gi = 0;
        const m = st.groups[0]!.idx[0]!;
        enc.decimals[m] = d;
        const vals = new Array<number>(st.metrics.length).fill(0);
        vals[m] = n / p;
        const buf = Buffer.alloc(enc.maxBytes[gi]!);
        const text = buf.toString('utf8', 0, writeGroupJson(buf, 0, st, enc, gi, vals, 1, 1));
        const json = encodeGroupJson(st, enc, gi, vals, 1, 1);
        if (text !== json) bad.push(`${text} != ${json}`);
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
    for (const n of [0, -0, 1, -1, 10, 100, 1e15, -1e16, 99999999999999, Number.NaN, Infinity]) for (let d = 0; d <= 8; d++) expect(formatScaled(n, d)).toBe(JSON.stringify(n / 10 ** d));
  });
});
