import { describe, expect, it } from 'vitest';
import { BASIN_STATIONS } from '@basin/schemas';
import { BasinModel } from '../model/network.js';
import { EXCEEDANCE_DEFAULTS, exceedanceCrossings, lowerQuartile, observedSource, predictFromExceedance, watchedLimit, type ExceedanceObservation, type ExceedanceTarget } from './exceedance.js';

const model = new BasinModel(BASIN_STATIONS);
const T0 = Date.parse('2026-04-15T00:00:00Z');
const H = 3_600_000;
const STEP = 10 * 60_000;
const Q = 1_400;
const HAN = { river: 'Han' as const, km: 615 };

/** A station's readings: baseline `base`, plus a Gaussian pulse (peak `peak` above it at `peakH`, σ `sigmaH`), until `untilH`. */
function pulse(base: number, peak: number, peakH: number, sigmaH: number, untilH: number): [number, number][] {
  return Array.from({ length: Math.round((untilH + 24) * 6) + 1 }, (_, i) => {
    const t = T0 - 24 * H + i * STEP;
    return [t, base + peak * Math.exp(-0.5 * (((t - T0) / H - peakH) / sigmaH) ** 2)];
  });
}
const obs = (readings: [number, number][]): ExceedanceObservation => ({ station: 'up', metric: 'nh3n', point: HAN, bank: null, readings, dischargeM3s: Q });
const target = (km: number, baseline = 0.25, river: 'Han' | 'Yangtze' = 'Han', q = Q): ExceedanceTarget => ({ station: `t${km}`, point: { river, km }, bank: null, dischargeM3s: q, baseline });
const noPersist = { ...EXCEEDANCE_DEFAULTS, persistH: 0 };

describe('pollutant travel from an observed exceedance', () => {
  it.each([
    { values: [0.3, 0.3, 0.3, 0.3, 2.5], q: 0.3 },
    { values: [0.2, 0.3, 0.4, 0.5], q: 0.2 },
    { values: [], q: 0 },
  ])('baseline (lower quartile) of $values is $q', ({ values, q }) => {
    expect(lowerQuartile(values)).toBe(q);
  });

  it.each([
    ['nh3n', 1.0],
    ['codmn', 6],
    ['tp', 0.2],
    ['do', null],
    ['ph', null],
    ['turbidity', null],
  ] as const)('%s is watched against its class III limit %s', (metric, limit) => {
    expect(watchedLimit(metric)).toBe(limit);
  });

  it('the load that passed the station is the excess × discharge over time (the whole pulse once it has passed)', () => {
    // a pulse of 2 mg/L above 0.3, σ 2 h: ∫ excess dt = 2 · σ · √2π h
    const s = observedSource(obs(pulse(0.3, 2, 6, 2, 18)), noPersist)!;
    const kg = (2 * 2 * 3600 * Math.sqrt(2 * Math.PI) * Q) / 1000;
    expect(s.baseline).toBeCloseTo(0.3, 6);
    expect(s.observedKg / kg).toBeCloseTo(1, 2);
    expect(s.latestExcess).toBeCloseTo(0, 3);
    expect((s.startedAt - T0) / H).toBeLessThan(0);
  });

  it('a pulse that has passed the station reaches the intake downstream later, lower and longer (mass conserved)', () => {
    // 2 mg/L above 0.3, σ 2 h at the station at 6 h; 30 km at 0.75 m/s: 11.1 h, dispersion σ √(2·1000·30000/0.75³) s = 3.3 h, decay 0.2/day
    const f = predictFromExceedance(model, obs(pulse(0.3, 2, 6, 2, 12)), [target(645, 0.25)], T0 + 12 * H, noPersist)!;
    const [p] = f.targets;
    expect(p!.distanceKm).toBe(30);
    const sigmaH = Math.sqrt(2 ** 2 + (2 * 1000 * 30_000) / 0.75 ** 3 / 3600 ** 2);
    const decay = Math.exp((-0.2 * 30_000) / 0.75 / 86_400);
    expect(p!.peak - 0.25).toBeCloseTo(((2 * 2) / sigmaH) * decay, 2);
    expect((p!.peakAt - T0) / H).toBeCloseTo(6 + 30_000 / 0.75 / 3600, 0);
  });

  it('issued at the first exceedance: the excess so far and its continuation predict the intake crossing class III ahead of time', () => {
    // the station crossed 1.0 on the rising limb: 0.3 + 2·exp(…) > 1 about 2.9 h before its 6 h peak
    const readings = pulse(0.3, 2, 6, 2, 4);
    const issued = readings[readings.length - 1]![0];
    const f = predictFromExceedance(model, obs(readings), [target(645, 0.25), target(632, 0.25)], issued, { ...EXCEEDANCE_DEFAULTS, persistH: 6 })!;
    for (const p of f.targets) {
      expect(p.arrivalAt, p.station).not.toBeNull();
      const travelH = (p.distanceKm * 1000) / 0.75 / 3600;
      expect((p.arrivalAt! - issued) / H, p.station).toBeGreaterThan(travelH - 4);
    }
    // farther downstream, later
    expect(f.targets[0]!.arrivalAt!).toBeLessThan(f.targets[1]!.arrivalAt!);
  });

  it('below the Han mouth the Yangtze dilutes it: no crossing there', () => {
    const f = predictFromExceedance(model, obs(pulse(0.3, 2, 6, 2, 8)), [target(640, 0.2, 'Yangtze', 25_000)], T0 + 8 * H)!;
    expect(f.targets[0]!.arrivalAt).toBeNull();
    expect(f.targets[0]!.peak).toBeLessThan(0.5);
  });

  it('nothing upstream of the station, and nothing without an excess', () => {
    expect(predictFromExceedance(model, obs(pulse(0.3, 2, 6, 2, 8)), [target(600)], T0 + 8 * H)!.targets).toEqual([]);
    expect(predictFromExceedance(model, obs([[T0, 0.3], [T0 + STEP, 0.3]]), [target(645)], T0 + STEP)).toBeNull();
  });

  it('crossings per GB 3838 class as the rules read them (nh3n:IV = passes the class III limit)', () => {
    const f = predictFromExceedance(model, obs(pulse(0.3, 2, 6, 2, 8)), [target(645, 0.25)], T0 + 8 * H)!;
    const c = exceedanceCrossings('run-1', T0 + 8 * H, 'nh3n', f.targets);
    expect(c.map((x) => x.level)).toEqual(['nh3n:II', 'nh3n:III', 'nh3n:IV', 'nh3n:V', 'nh3n:worse_than_V']);
    const iv = c.find((x) => x.level === 'nh3n:IV')!;
    expect(iv.threshold).toBe(1.0);
    expect(iv.crossingAt).toBe(f.targets[0]!.arrivalAt);
    expect(iv.issuedAt).toBe(T0 + 8 * H);
    expect(c.find((x) => x.level === 'nh3n:II')!.crossingAt, 'the baseline 0.25 is class II already: crossed at the issue time').toBe(T0 + 8 * H);
  });
});

describe('across the river: a bank-side station reads its bank, the intakes get their own', () => {
  // Station on the Han's left bank at km 615, plume taken to have entered there sourceKm 15 above it
  // (Ey 0.48 m²/s, u 0.75 m/s, σy0 20 m, width 400 m, stations 50 m from their bank):
  //   σy at the station  √(400 + 2·0.48·15,000/0.75) = 140 m      → near-bank c/c̄ = 2.1388 (transverse.test.ts)
  //   σy 30 km below     √(400 + 2·0.48·45,000/0.75) = 240.83 m   → 2·400/(240.83·√2π) = 1.3252 ×
  //     near: e^(−½(50/240.83)²) + e^(−½(750/240.83)²) + e^(−½(850/240.83)²) = 0.97868 + 0.00780 + 0.00196 → 1.3099
  //     far:  e^(−½(350/240.83)²) + e^(−½(450/240.83)²) = 0.34770 + 0.17464 → 0.69225
  //   so the reading × 1.3099/2.1388 = 0.6125 on the near bank, × 0.69225/2.1388 = 0.3237 on the far bank.
  const readings = pulse(0.3, 3, 6, 2, 14);
  const at = (bank: 'left' | 'right' | null, km = 645) => ({ ...target(km, 0.25), station: `t${km}-${bank}`, bank });
  const left = { ...obs(readings), bank: 'left' as const };
  const mean = predictFromExceedance(model, obs(readings), [at(null)], T0 + 14 * H, noPersist)!.targets[0]!;
  const banked = predictFromExceedance(model, left, [at('left'), at('right'), at(null)], T0 + 14 * H, noPersist)!;
  const of = (bank: string) => banked.targets.find((t) => t.station === `t645-${bank}`)!;

  it('the station read as the mean (unknown bank) predicts 1.4 mg/L above the baseline at km 645 on both banks, as before', () => {
    expect(mean.lateralFactor).toBe(1);
    expect(mean.peak - 0.25).toBeGreaterThan(1.3);
    expect(mean.arrivalAt).not.toBeNull();
  });

  it('from the left bank: the left-bank intake gets 0.6125 × that and is warned, the right-bank one 0.3237 × and is not', () => {
    expect(banked.source.stationFactor).toBeCloseTo(2.1388, 3);
    expect(of('left').lateralFactor).toBeCloseTo(1.3099, 3);
    expect(of('right').lateralFactor).toBeCloseTo(0.69225, 3);
    expect((of('left').peak - 0.25) / (mean.peak - 0.25)).toBeCloseTo(0.6125, 3);
    expect((of('right').peak - 0.25) / (mean.peak - 0.25)).toBeCloseTo(0.3237, 3);
    expect(of('left').arrivalAt, 'near bank above class III').not.toBeNull();
    expect(of('right').arrivalAt, 'far bank stays below class III').toBeNull();
    expect(of('right').reaching[1], 'but above class II: its own crossing is still announced').not.toBeNull();
  });

  it('an intake of unknown bank gets the near bank (precautionary)', () => {
    expect(of('null').peak).toBeCloseTo(of('left').peak, 10);
  });

  it('the far bank catches up over the mixing length (100 km on the Han): mixed across, as the mean says', () => {
    const far = predictFromExceedance(model, left, [at('left'), at('right')], T0 + 14 * H, { ...noPersist, sourceKm: 10_000 })!;
    expect(far.source.stationFactor).toBeCloseTo(1, 2);
    for (const t of far.targets) expect(t.lateralFactor, t.station).toBeCloseTo(1, 2);
  });

  it('below the Han mouth the Yangtze gets the mean load (the reading ÷ 2.1388), diluted by its discharge', () => {
    const y = predictFromExceedance(model, left, [{ ...target(640, 0.2, 'Yangtze', 25_000), bank: 'left' as const }], T0 + 14 * H, noPersist)!.targets[0]!;
    const m = predictFromExceedance(model, obs(readings), [target(640, 0.2, 'Yangtze', 25_000)], T0 + 14 * H, noPersist)!.targets[0]!;
    expect((y.peak - 0.2) / (m.peak - 0.2)).toBeCloseTo(1 / 2.1388, 3);
    expect(y.arrivalAt).toBeNull();
  });
});
