import { describe, expect, it } from 'vitest';
import { classifySoil, phBand, type LandUse, type SoilElement } from './gb15618.js';

const e = 1e-6;
// [element, value, pH, land use, risk]: at each screening / intervention value and either side of it.
const ROWS: [SoilElement, number, number, LandUse, string][] = [
  // Cd paddy: screening 0.3 / 0.4 / 0.6 / 0.8; intervention 1.5 / 2.0 / 3.0 / 4.0
  ['cd', 0.3, 5.5, 'paddy', 'low_risk'], ['cd', 0.3 + e, 5.5, 'paddy', 'at_risk'], ['cd', 1.5, 5.5, 'paddy', 'at_risk'], ['cd', 1.5 + e, 5.5, 'paddy', 'high_risk'],
  ['cd', 0.4, 6.0, 'paddy', 'low_risk'], ['cd', 0.4 + e, 6.0, 'paddy', 'at_risk'], ['cd', 0.5, 6.0, 'paddy', 'at_risk'], ['cd', 2.0, 6.0, 'paddy', 'at_risk'], ['cd', 2.0 + e, 6.0, 'paddy', 'high_risk'],
  ['cd', 0.6, 7.0, 'paddy', 'low_risk'], ['cd', 0.6 + e, 7.0, 'paddy', 'at_risk'], ['cd', 3.0 + e, 7.0, 'paddy', 'high_risk'],
  ['cd', 0.8, 8.0, 'paddy', 'low_risk'], ['cd', 0.8 + e, 8.0, 'paddy', 'at_risk'], ['cd', 4.0, 8.0, 'paddy', 'at_risk'], ['cd', 4.0 + e, 8.0, 'paddy', 'high_risk'],
  // Cd other land (orchard uses "other"): 0.3 / 0.3 / 0.3 / 0.6
  ['cd', 0.3, 6.0, 'other', 'low_risk'], ['cd', 0.3 + e, 6.0, 'other', 'at_risk'], ['cd', 0.3 + e, 7.0, 'orchard', 'at_risk'], ['cd', 0.6, 8.0, 'other', 'low_risk'],
  // Hg, As, Pb, Cr
  ['hg', 0.5, 6.0, 'paddy', 'low_risk'], ['hg', 0.5 + e, 6.0, 'paddy', 'at_risk'], ['hg', 2.5 + e, 6.0, 'paddy', 'high_risk'], ['hg', 3.4, 8.0, 'other', 'low_risk'],
  ['as', 30, 5.0, 'paddy', 'low_risk'], ['as', 30 + e, 5.0, 'paddy', 'at_risk'], ['as', 200 + e, 5.0, 'paddy', 'high_risk'], ['as', 25 + e, 8.0, 'other', 'at_risk'],
  ['pb', 240, 8.0, 'paddy', 'low_risk'], ['pb', 240 + e, 8.0, 'paddy', 'at_risk'], ['pb', 1000 + e, 8.0, 'paddy', 'high_risk'], ['pb', 70 + e, 5.0, 'other', 'at_risk'],
  ['cr', 250, 6.0, 'paddy', 'low_risk'], ['cr', 150 + e, 6.0, 'other', 'at_risk'], ['cr', 850 + e, 6.0, 'other', 'high_risk'],
  // Cu orchard vs other (paddy uses "other"); Ni and Zn one row; none has an intervention value
  ['cu', 150, 6.0, 'orchard', 'low_risk'], ['cu', 150 + e, 6.0, 'orchard', 'at_risk'], ['cu', 50 + e, 6.0, 'paddy', 'at_risk'], ['cu', 5000, 8.0, 'other', 'at_risk'],
  ['ni', 190, 8.0, 'paddy', 'low_risk'], ['ni', 190 + e, 8.0, 'paddy', 'at_risk'], ['ni', 1900, 8.0, 'paddy', 'at_risk'],
  ['zn', 200, 6.5, 'other', 'low_risk'], ['zn', 200 + e, 6.5, 'other', 'at_risk'], ['zn', 250, 6.5 + e, 'other', 'low_risk'],
];

describe('GB 15618-2018', () => {
  it.each(ROWS)('%s %d at pH %d (%s) -> %s', (el, v, ph, use, risk) => {
    expect(classifySoil(el, v, ph, use).risk).toBe(risk);
  });

  it.each([
    [5.5, 0], [5.5 + e, 1], [6.5, 1], [6.5 + e, 2], [7.5, 2], [7.5 + e, 3],
  ])('pH %d is band %d', (ph, band) => {
    expect(phBand(ph)).toBe(band);
  });

  it('names the category in Chinese', () => {
    expect(classifySoil('cd', 0.5, 6.0, 'paddy')).toMatchObject({ risk: 'at_risk', riskZh: '安全利用类', screening: 0.4, intervention: 2.0 });
  });
});
