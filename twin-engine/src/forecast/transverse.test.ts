import { describe, expect, it } from 'vitest';
import { bankFactor, lateralProfile, lateralSpread, mixingLengthBankSource, transverseMixingCoefficient } from './transverse.js';
import { RIVER_SECTIONS } from './river-section.js';

const HAN = { widthM: 400, stationOffsetM: 50 };

describe('transverse mixing (Fischer et al. 1979 ch. 5)', () => {
  it.each([
    // 0.6 · 10 · 0.08 = 0.48
    { d: 10, uStar: 0.08, ey: 0.48 },
    // 0.6 · 4 · 0.05 = 0.12
    { d: 4, uStar: 0.05, ey: 0.12 },
  ])('Ey = 0.6 · $d m · $uStar m/s = $ey m²/s', ({ d, uStar, ey }) => {
    expect(transverseMixingCoefficient(d, uStar)).toBeCloseTo(ey, 10);
  });

  it.each([
    // Han: 0.4 · 0.75 · 400² / 0.48 = 48,000 / 0.48 = 100,000 m
    { u: 0.75, b: 400, ey: 0.48, l: 100_000 },
    // Yangtze: 0.4 · 1.2 · 1500² / 0.48 = 1,080,000 / 0.48 = 2,250,000 m
    { u: 1.2, b: 1500, ey: 0.48, l: 2_250_000 },
    // a tenth of the width, a hundredth of the length
    { u: 0.75, b: 40, ey: 0.48, l: 1_000 },
  ])('mixing length of a bank-side source, u $u m/s, B $b m, Ey $ey m²/s: $l m', ({ u, b, ey, l }) => {
    expect(mixingLengthBankSource(u, b, ey)).toBeCloseTo(l, 6);
  });

  it('the river sections use them: Ey 0.48 m²/s, Han mixing length 100 km, Yangtze 2,250 km', () => {
    expect(RIVER_SECTIONS.Han.transverseM2s).toBeCloseTo(0.48, 10);
    expect(RIVER_SECTIONS.Han.mixingLengthM).toBeCloseTo(100_000, 6);
    expect(RIVER_SECTIONS.Yangtze.mixingLengthM).toBeCloseTo(2_250_000, 6);
  });

  it.each([
    // √(20² + 2 · 0.48 · 15,000 / 0.75) = √(400 + 19,200) = 140
    { x: 15_000, sigma: 140 },
    // at the source: σy0
    { x: 0, sigma: 20 },
    // √(400 + 2 · 0.48 · 100,000 / 0.75) = √128,400 = 358.33
    { x: 100_000, sigma: 358.329 },
  ])('σy at $x m below the source (σy0 20 m, Ey 0.48, u 0.75): $sigma m', ({ x, sigma }) => {
    expect(lateralSpread(20, 0.48, x, 0.75)).toBeCloseTo(sigma, 3);
  });

  it.each([
    // at the bank, σ 20 m in 400 m: 2·400 / (20·√2π) = 15.958 (images 800 m away add nothing)
    { y: 0, sigma: 20, f: 15.958 },
    // near bank, σ 140: 2·400/(140·√2π) = 2.2797 × e^(−½(50/140)²) = 0.93821 → 2.1388
    { y: 50, sigma: 140, f: 2.1388 },
    // far bank, σ 140: 2.2797 × (e^(−½(350/140)²) = 0.04394 + image at −450 m e^(−½(450/140)²) = 0.00571) → 0.11317
    { y: 350, sigma: 140, f: 0.11317 },
    // at one mixing length (σ 358.33 m): both banks within 5 % of the mean (Fischer's definition of L)
    { y: 0, sigma: 358.329, f: 1.0381 },
    { y: 400, sigma: 358.329, f: 0.96188 },
    // mixed across
    { y: 350, sigma: 1e6, f: 1 },
  ])('c/c̄ at $y m from the source bank, σy $sigma m, width 400 m: $f', ({ y, sigma, f }) => {
    expect(lateralProfile(y, sigma, 400)).toBeCloseTo(f, 3);
  });

  it.each([20, 140, 400, 2000])('the profile averages to the mean across the river (mass kept, σy %s m)', (sigma) => {
    const n = 4000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += lateralProfile(((i + 0.5) * 400) / n, sigma, 400);
    expect(sum / n).toBeCloseTo(1, 3);
  });

  it.each([
    { plume: 'left', station: 'left', f: 2.1388 },
    { plume: 'left', station: 'right', f: 0.11317 },
    { plume: 'right', station: 'right', f: 2.1388 },
    { plume: 'right', station: 'left', f: 0.11317 },
    // unknown bank: the larger (precautionary)
    { plume: 'left', station: null, f: 2.1388 },
  ] as const)('a plume on the $plume bank (σy 140 m) at a station on the $station bank 50 m out: $f × the mean', ({ plume, station, f }) => {
    expect(bankFactor(plume, station, 140, HAN)).toBeCloseTo(f, 3);
  });
});
