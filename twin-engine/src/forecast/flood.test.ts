import { describe, expect, it } from 'vitest';
import { BASIN_STATIONS } from '@basin/schemas';
import { BasinModel } from '../model/network.js';
import { levelOf } from '../model/levels.js';
import { forecastFlood, type HourlySeries } from './flood.js';
import { firstCrossing, syntheticFlood } from './testing.js';

const H = 3_600_000;
const T0 = Date.parse('2026-07-01T00:00:00Z');
const model = new BasinModel(BASIN_STATIONS);
const flood = syntheticFlood(model, { t0: T0, peakAt: T0 + 72 * H, peak: 70_000, sigmaH: 18, hours: 400 });

/** The inputs as observed up to `issuedAt` (inclusive). */
function observedUpTo(issuedAt: number): Map<string, HourlySeries> {
  const n = Math.round((issuedAt - T0) / H) + 1;
  const out = new Map<string, HourlySeries>();
  for (const [id, s] of flood) out.set(id, { start: T0, discharge: s.discharge?.slice(0, n), stage: s.stage?.slice(0, n), outflow: s.outflow?.slice(0, n) });
  return out;
}

describe('flood forecast (Muskingum over the network)', () => {
  it('predicts each downstream warning crossing before it is observed, within a few hours', () => {
    const issuedAt = T0 + 80 * H; // the peak has left the dam; Hankou is still below warning
    const f = forecastFlood(model, { issuedAt, horizonH: 72, x: 0.2, series: observedUpTo(issuedAt) });
    const checked: string[] = [];
    for (const g of f.gauges) {
      if (!flood.has(g.station)) continue;
      const warning = levelOf(model.references.get(g.station)!, 'warning', issuedAt)!;
      const truth = flood.get(g.station)!.truthStage;
      if (truth(issuedAt) >= warning) continue;
      const observed = firstCrossing(truth, warning, issuedAt, issuedAt + 72 * H);
      const predicted = g.crossings.find((c) => c.level === 'warning')?.at ?? null;
      if (observed === null) continue;
      checked.push(g.station);
      expect(predicted, `${g.station} crossing predicted`).not.toBeNull();
      expect(predicted!).toBeGreaterThan(issuedAt);
      expect(Math.abs(predicted! - observed) / H, `${g.station} timing error h`).toBeLessThanOrEqual(12);
    }
    expect(checked).toEqual(expect.arrayContaining(['jianli', 'lianhuatang', 'luoshan']));
  });

  it('forecasts stage and discharge for 72 h at every gauge with a rating', () => {
    const issuedAt = T0 + 60 * H;
    const f = forecastFlood(model, { issuedAt, horizonH: 72, x: 0.2, series: observedUpTo(issuedAt) });
    const hankou = f.gauges.find((g) => g.station === 'hankou')!;
    expect(hankou.discharge).toHaveLength(72);
    expect(hankou.stage).toHaveLength(72);
    const truth = flood.get('hankou')!;
    const errs = hankou.stage!.map((h, i) => Math.abs(h - truth.truthStage(issuedAt + (i + 1) * H)));
    expect(errs[0]!).toBeLessThan(0.2);
    expect(Math.max(...errs)).toBeLessThan(2);
  });
});

describe('Dongting Lake outflow', () => {
  it('joins at the outlet: a rising Chenglingji discharge raises the forecast below it, not above', () => {
    const issuedAt = T0 + 60 * H;
    const base = observedUpTo(issuedAt);
    const n = Math.round((issuedAt - T0) / H) + 1;
    const lake = (rise: number) => new Map([...base, ['chenglingji', { start: T0, discharge: Array.from({ length: n }, (_, i) => 8_000 + rise * Math.max(0, i - (n - 24))) }]]);
    const run = (rise: number) => forecastFlood(model, { issuedAt, horizonH: 72, x: 0.2, series: lake(rise) });
    const flat = run(0);
    const rising = run(300); // +300 m³/s per hour over the last day
    const at = (f: ReturnType<typeof run>, id: string) => f.gauges.find((g) => g.station === id)!.discharge;
    expect(at(rising, 'jianli')).toEqual(at(flat, 'jianli'));
    expect(Math.max(...at(rising, 'lianhuatang'))).toBeGreaterThan(Math.max(...at(flat, 'lianhuatang')) + 1000);
  });
});
