import { describe, expect, it } from 'vitest';
import { parseScenario, resolveScenario } from './scenario.js';
import { SignalModel } from './signals.js';
import { lateralProfile, plumeAt } from './spill.js';
import { selectStations } from './stations.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 6, 1, 16);
const stations = new Map(selectStations({ seed: 7, count: 120 }).map((s) => [s.id, s]));
const spillScenario = resolveScenario('spill');
const model = new SignalModel(spillScenario, 7, T0, HOUR);
const spill = spillScenario.spills[0]!;

/** Peak increase over the run at a river point and bank. */
const peakAt = (m: SignalModel, river: 'Yangtze' | 'Han', km: number, bank: 'left' | 'right' | null, hours = 72, metric: 'nh3n' = 'nh3n') => {
  let best = 0;
  let at = 0;
  for (let h = 0; h <= hours * 4; h++) {
    const v = m.spillIncrement(river, km, metric, T0 + h * (HOUR / 4), bank);
    if (v > best) [best, at] = [v, h / 4];
  }
  return { v: best, at };
};
/** The same release on the Yangtze (the bank behaviour of the 1.5 km wide main stem). */
const yangtze = new SignalModel(parseScenario({ name: 'x', title: 'x', spills: [{ ...spill, river: 'Yangtze', km: 160, velocityMs: 1.2 }] }), 7, T0, HOUR);

describe('spill scenario', () => {
  it('states a plausible mass on the Han above Wuhan: tens of tonnes of NH3-N, not thousands, on a bank', () => {
    expect(spill.river).toBe('Han');
    expect(spill.massT.nh3n).toBeGreaterThanOrEqual(10);
    expect(spill.massT.nh3n).toBeLessThan(100);
    expect(spill.bank).toBe('left');
    // upstream of the Xingou section, which is upstream of the Han intakes
    const km = (id: string) => stations.get(id)!.km!;
    expect(spill.km).toBeLessThan(km('wq-xingou'));
    for (const id of ['intake-baihezui', 'intake-qinduankou', 'intake-guomian', 'intake-zongguan']) expect(km('wq-xingou'), id).toBeLessThan(km(id));
  });

  it('carries exactly the stated mass (less first-order decay) through every cross-section, into the Yangtze', () => {
    // ∫ Q · c̄ dt over the passage = M · exp(−k · travel time)
    for (const [river, km, distKm] of [['Han', 615, 17], ['Han', 645, 47], ['Yangtze', 640, 54 + 640 - 624]] as const) {
      let grams = 0;
      const travelH = distKm / (spill.velocityMs * 3.6);
      for (let s = 0; s <= 120 * 3600; s += 300) {
        const t = T0 + s * 1000;
        grams += model.river.discharge(river, km, t) * model.spillIncrement(river, km, 'nh3n', t, null) * 300;
      }
      const expected = spill.massT.nh3n! * 1e6 * Math.exp((-spill.decayPerDay * travelH) / 24);
      expect(grams / expected, `${river} km ${km}`).toBeCloseTo(1, 1);
    }
  });

  it('hugs the bank it enters on: the same bank sees more than the far bank, less so downstream; not mixed across at once', () => {
    const han = [605, 615, 645].map((km) => peakAt(model, 'Han', km, 'left').v / peakAt(model, 'Han', km, 'right').v);
    for (const r of han) expect(r).toBeGreaterThan(1.5);
    for (let i = 1; i < han.length; i++) expect(han[i]!).toBeLessThan(han[i - 1]!);
    const main = [180, 300, 612].map((km) => peakAt(yangtze, 'Yangtze', km, 'left', 168).v / peakAt(yangtze, 'Yangtze', km, 'right', 168).v);
    for (const r of main) expect(r).toBeGreaterThan(1.5);
    // near the outfall the left bank sees many times the cross-section mean
    expect(peakAt(model, 'Han', 602, 'left').v).toBeGreaterThan(3 * peakAt(model, 'Han', 602, null).v);
    expect(peakAt(yangtze, 'Yangtze', 170, 'left', 168).v).toBeGreaterThan(5 * peakAt(yangtze, 'Yangtze', 170, null, 168).v);
  });

  it('the Han intake on the spill\'s bank (Zongguan) sees more than those on the far bank', () => {
    const at = (id: string) => {
      const st = stations.get(id)!;
      return peakAt(model, 'Han', st.km!, st.bank).v;
    };
    expect(stations.get('intake-zongguan')!.bank).toBe('left');
    expect(stations.get('intake-qinduankou')!.bank).toBe('right');
    expect(at('intake-zongguan')).toBeGreaterThan(1.5 * at('intake-qinduankou'));
  });

  it('a right-bank spill upstream of Wuhan reaches the right-bank intakes (Baishazhou) far more than a left-bank one', () => {
    const doc = (bank: 'left' | 'right') => ({ name: 'x', title: 'x', spills: [{ ...spill, river: 'Yangtze', km: 560, velocityMs: 1.2, bank, atH: 2 }] });
    const baishazhou = stations.get('intake-baishazhou')!;
    expect(baishazhou.bank).toBe('right');
    const at = (bank: 'left' | 'right') => {
      const m = new SignalModel(parseScenario(doc(bank)), 7, T0, HOUR);
      return Math.max(...Array.from({ length: 72 }, (_, h) => m.spillIncrement('Yangtze', baishazhou.km!, 'nh3n', T0 + h * HOUR, baishazhou.bank)));
    };
    const near = at('right');
    const far = at('left');
    expect(near).toBeGreaterThan(0.1);
    expect(near).toBeGreaterThan(5 * Math.max(far, 0.01));
  });

  it('arrives downstream in order at flow speed; nothing upstream of the outfall', () => {
    const a = peakAt(model, 'Han', 615, 'left');
    const b = peakAt(model, 'Han', 645, 'left');
    expect(b.at).toBeGreaterThan(a.at);
    // 0.8 m/s: km 598 -> km 645 (47 km) takes ~16 h after the release at hour 6 (+2 h, half its duration).
    expect(b.at).toBeGreaterThanOrEqual(6 + 2 + 14);
    expect(b.at).toBeLessThanOrEqual(6 + 2 + 19);
    expect(peakAt(model, 'Han', 590, 'left').v).toBe(0);
  });

  it.each([
    // σy (m), y (m from the source bank), c(y)/c̄ — width 1500 m
    [5_000, 50, 1, 2],
    [5_000, 1450, 1, 2],
    [100, 50, 10.56, 1],
    [100, 1450, 0, 6],
  ])('lateral profile with σy %i m at y %i m is %d', (sigmaY, y, f, digits) => {
    expect(lateralProfile(y, sigmaY, 1500)).toBeCloseTo(f, digits);
  });

  it.each([30, 300, 3000])('the lateral profile averages to 1 across the river (σy %i m)', (sigmaY) => {
    const n = 1500;
    let mean = 0;
    for (let k = 0; k < n; k++) mean += lateralProfile(((k + 0.5) / n) * 1500, sigmaY, 1500) / n;
    expect(mean).toBeCloseTo(1, 2);
  });

  it('no plume long before the release', () => {
    expect(plumeAt(spill, 10, false, T0, T0 - 100 * HOUR)).toBeNull();
  });
});
