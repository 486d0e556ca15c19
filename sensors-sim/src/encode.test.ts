import { describe, expect, it } from 'vitest';
import { encodeReadingBatch, type Reading } from '@basin/schemas';
import { encodeGroupJson, stationJson } from './encode.js';
import { resolveScenario } from './scenario.js';
import { roundValue, SignalModel } from './signals.js';
import { selectStations } from './stations.js';

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
          expect(encodeGroupJson(st, enc, gi, v, t, first)).toBe(encodeReadingBatch(readings, { station: st.id }));
          first += g.idx.length;
          n++;
        });
      }
    }
    expect(n).toBeGreaterThan(1500);
  });
});
