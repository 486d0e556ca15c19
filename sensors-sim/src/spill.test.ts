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
const peakAt = (m: SignalModel, km: number, bank: 'left' | 'right' | null, hours = 168, metric: 'nh3n' = 'nh3n') => {
  let best = 0;
  let at = 0;
  for (let h = 0; h <= hours; h++) {
    const v = m.spillIncrement('Yangtze', km, metric, T0 + h * HOUR, bank);
    if (v > best) [best, at] = [v, h];
  }
  return { v: best, at };
};

describe('spill scenario', () => {
  it('states a plausible mass: tens of tonnes of NH3-N, not thousands', () => {
    expect(spill.massT.nh3n).toBeGreaterThanOrEqual(1);
    expect(spill.massT.nh3n).toBeLessThanOrEqual(500);
    expect(spill.bank).toBe('left');
  });

  it('carries exactly the stated mass (less first-order decay) through every cross-section', () => {
    // ∫ Q · c̄ dt over the passage = M · exp(−k · travel time)
    for (const km of [200, 400, 612]) {
      let grams = 0;
      const travelH = (km - spill.km) / (spill.velocityMs * 3.6);
      for (let s = 0; s <= 400 * 3600; s += 600) {
        const t = T0 + s * 1000;
        grams += model.river.discharge('Yangtze', km, t) * model.spillIncrement('Yangtze', km, 'nh3n', t, null) * 600;
      }
      const expected = spill.massT.nh3n! * 1e6 * Math.exp((-spill.decayPerDay * travelH) / 24);
      expect(grams / expected, `km ${km}`).toBeCloseTo(1, 1);
    }
  });

  it('hugs the bank it enters on: the same bank sees more than the far bank, less so downstream', () => {
    const ratios = [180, 300, 612].map((km) => peakAt(model, km, 'left').v / peakAt(model, km, 'right').v);
    for (const r of ratios) expect(r).toBeGreaterThan(1.5);
    for (let i = 1; i < ratios.length; i++) expect(ratios[i]!).toBeLessThan(ratios[i - 1]!);
    // near the outfall the left bank sees many times the cross-section mean
    expect(peakAt(model, 170, 'left').v).toBeGreaterThan(5 * peakAt(model, 170, null).v);
  });

  it('a right-bank spill upstream of Wuhan reaches the right-bank intakes (Baishazhou) far more than a left-bank one', () => {
    const doc = (bank: 'left' | 'right') => ({ name: 'x', title: 'x', spills: [{ ...spill, km: 560, bank, atH: 2 }] });
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
    const a = peakAt(model, 300, 'left');
    const b = peakAt(model, 612, 'left');
    expect(b.at).toBeGreaterThan(a.at);
    // 1.2 m/s: km 160 -> km 400 (240 km) takes ~56 h after the release at hour 6.
    expect(peakAt(model, 400, null).at).toBeGreaterThanOrEqual(6 + 50);
    expect(peakAt(model, 400, null).at).toBeLessThanOrEqual(6 + 64);
    expect(peakAt(model, 100, 'left').v).toBe(0);
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
