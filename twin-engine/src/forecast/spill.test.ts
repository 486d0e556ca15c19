import { describe, expect, it } from 'vitest';
import { BASIN_STATIONS } from '@basin/schemas';
import { BasinModel } from '../model/network.js';
import { arrivalAt, predictSpill, SPILL_DEFAULTS, type SpillParams, type SpillTarget } from './spill.js';
import { lateralProfile } from './transverse.js';
import { spillCrossings } from './spill-run.js';

const model = new BasinModel(BASIN_STATIONS);
const T0 = Date.parse('2026-08-01T00:00:00Z');
const H = 3_600_000;
const base: SpillParams = { at: { river: 'Yangtze', km: 500 }, releaseAt: T0, massKg: 10_000, bank: null, thresholdMgL: null, ...SPILL_DEFAULTS };
const target = (km: number, over: Partial<SpillTarget> = {}): SpillTarget => ({ station: `t${km}`, point: { river: 'Yangtze', km }, bank: null, dischargeM3s: 20_000, ...over });

describe('spill plume at a target (advection–dispersion)', () => {
  it.each([
    { name: '90 km at 1.25 m/s: peak 20 h after the release midpoint', p: { velocityMs: 1.25, durationH: 2 }, km: 590, peakH: 1 + 20 },
    { name: '54 km at 1.5 m/s', p: { velocityMs: 1.5, durationH: 1 }, km: 554, peakH: 0.5 + 10 },
    { name: 'half the speed, twice the time', p: { velocityMs: 0.75, durationH: 1 }, km: 554, peakH: 0.5 + 20 },
  ])('$name', ({ p, km, peakH }) => {
    const a = arrivalAt(model, { ...base, ...p }, target(km))!;
    expect((a.peakAt - T0) / H).toBeCloseTo(peakH, 6);
    expect(a.arrivalAt).toBeLessThan(a.peakAt);
  });

  it('conserves mass: ∫ Q·c dt = M·decay (cross-section mean)', () => {
    const a = arrivalAt(model, { ...base, decayPerDay: 0 }, target(700))!;
    const sigmaS = (a.durationH * 3600) / 4;
    const integral = a.meanPeakMgL * 20_000 * sigmaS * Math.sqrt(2 * Math.PI); // g
    expect(integral / 1000).toBeCloseTo(10_000, 6);
    const decayed = arrivalAt(model, { ...base, decayPerDay: 0.2 }, target(700))!;
    const days = (200_000 / 1.2) / 86_400;
    expect(decayed.meanPeakMgL / a.meanPeakMgL).toBeCloseTo(Math.exp(-0.2 * days), 9);
  });

  it('spreads and dilutes with distance; more flow, lower concentration', () => {
    const near = arrivalAt(model, base, target(550))!;
    const far = arrivalAt(model, base, target(800))!;
    expect(far.meanPeakMgL).toBeLessThan(near.meanPeakMgL);
    expect(far.durationH).toBeGreaterThan(near.durationH);
    expect(arrivalAt(model, base, target(550, { dischargeM3s: 40_000 }))!.meanPeakMgL).toBeCloseTo(near.meanPeakMgL / 2, 9);
  });

  it('a bank-side outfall: the same bank sees more than the mean, the far bank less', () => {
    const p = { ...base, bank: 'right' as const };
    const same = arrivalAt(model, p, target(560, { bank: 'right' }))!;
    const far = arrivalAt(model, p, target(560, { bank: 'left' }))!;
    expect(same.peakMgL).toBeGreaterThan(same.meanPeakMgL);
    expect(far.peakMgL).toBeLessThan(far.meanPeakMgL);
    expect(lateralProfile(750, 1e6, 1500)).toBeCloseTo(1, 3); // fully mixed
  });

  it.each([
    { name: 'threshold below the peak: arrival when it is reached, duration above it', thr: 0.005, exceeds: true },
    { name: 'threshold above the peak: not exceeded, the passage (4σ)', thr: 1e6, exceeds: false },
  ])('$name', ({ thr, exceeds }) => {
    const a = arrivalAt(model, { ...base, thresholdMgL: thr }, target(600))!;
    expect(a.exceedsThreshold).toBe(exceeds);
    const sigmaH = (arrivalAt(model, base, target(600))!.durationH) / 4;
    if (exceeds) {
      const z = Math.sqrt(2 * Math.log(a.peakMgL / thr));
      expect(a.durationH).toBeCloseTo(2 * z * sigmaH, 6);
      expect((a.peakAt - a.arrivalAt) / H).toBeCloseTo(z * sigmaH, 3);
    } else expect(a.durationH).toBeCloseTo(4 * sigmaH, 9);
  });

  it('only downstream targets; a Han spill reaches the Yangtze below the mouth on its left bank', () => {
    expect(arrivalAt(model, base, target(400))).toBeNull();
    const han: SpillParams = { ...base, at: { river: 'Han', km: 600 }, bank: 'left' };
    const left = arrivalAt(model, han, target(640, { bank: 'left' }))!;
    const right = arrivalAt(model, han, target(640, { bank: 'right' }))!;
    expect(left.distanceKm).toBeCloseTo(52 + 16, 6);
    expect(left.peakMgL).toBeGreaterThan(right.peakMgL);
    expect(arrivalAt(model, han, target(600))).toBeNull(); // above the Han mouth
  });

  it('orders the intakes by arrival', () => {
    const out = predictSpill(model, base, [target(700), target(550), target(300)]);
    expect(out.map((a) => a.station)).toEqual(['t550', 't700']);
  });
});

describe('spill class crossings (what the rules read)', () => {
  // NH3-N river limits: I 0.15, II 0.5, III 1.0, IV 1.5, V 2.0 mg/L
  const a = { station: 'x', distanceKm: 10, arrivalAt: 0, peakAt: 10 * H, peakMgL: 1.2, meanPeakMgL: 1.2, durationH: 4, exceedsThreshold: true, sigmaH: 2 };
  const byLevel = Object.fromEntries(spillCrossings('f', 0, 'nh3n', [a]).map((c) => [c.level, c.crossingAt]));
  it.each([
    ['nh3n:II', 10 * H - Math.round(2 * Math.sqrt(2 * Math.log(1.2 / 0.15)) * H)],
    ['nh3n:III', 10 * H - Math.round(2 * Math.sqrt(2 * Math.log(1.2 / 0.5)) * H)],
    ['nh3n:IV', 10 * H - Math.round(2 * Math.sqrt(2 * Math.log(1.2 / 1.0)) * H)],
    ['nh3n:V', null],
    ['nh3n:worse_than_V', null],
  ])('%s at %s', (level, at) => {
    expect(byLevel[level]).toBe(at === null ? null : Math.round(at));
  });
  it('a peak exactly at a limit does not pass it; DO has no plume classes', () => {
    expect(spillCrossings('f', 0, 'nh3n', [{ ...a, peakMgL: 1.0 }]).find((c) => c.level === 'nh3n:IV')!.crossingAt).toBeNull();
    expect(spillCrossings('f', 0, 'do', [a])).toEqual([]);
  });
});
