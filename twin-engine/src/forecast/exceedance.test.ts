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
const obs = (readings: [number, number][]): ExceedanceObservation => ({ station: 'up', metric: 'nh3n', point: HAN, readings, dischargeM3s: Q });
const target = (km: number, baseline = 0.25, river: 'Han' | 'Yangtze' = 'Han', q = Q): ExceedanceTarget => ({ station: `t${km}`, point: { river, km }, dischargeM3s: q, baseline });
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
