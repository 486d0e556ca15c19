import { describe, expect, it } from 'vitest';
import { classifyWater, sectionClass, type Gb3838Item, type WaterBody } from './gb3838.js';

// Every limit of the catalogue's GB 3838-2002 items, at the limit and just either side of it.
// [item, waterBody, value, expected class]
const e = 1e-6;
const ROWS: [Gb3838Item, WaterBody, number, string][] = [
  // NH3-N ≤ 0.15 / 0.5 / 1.0 / 1.5 / 2.0
  ['nh3n', 'river', 0, 'I'], ['nh3n', 'river', 0.15, 'I'], ['nh3n', 'river', 0.15 + e, 'II'],
  ['nh3n', 'river', 0.5 - e, 'II'], ['nh3n', 'river', 0.5, 'II'], ['nh3n', 'river', 0.5 + e, 'III'],
  ['nh3n', 'river', 1.0 - e, 'III'], ['nh3n', 'river', 1.0, 'III'], ['nh3n', 'river', 1.0 + e, 'IV'],
  ['nh3n', 'river', 1.5 - e, 'IV'], ['nh3n', 'river', 1.5, 'IV'], ['nh3n', 'river', 1.5 + e, 'V'],
  ['nh3n', 'river', 2.0 - e, 'V'], ['nh3n', 'river', 2.0, 'V'], ['nh3n', 'river', 2.0 + e, 'worse_than_V'],
  // CODMn ≤ 2 / 4 / 6 / 10 / 15
  ['codmn', 'river', 2, 'I'], ['codmn', 'river', 2 + e, 'II'], ['codmn', 'river', 4 - e, 'II'], ['codmn', 'river', 4, 'II'],
  ['codmn', 'river', 4 + e, 'III'], ['codmn', 'river', 6, 'III'], ['codmn', 'river', 6 + e, 'IV'], ['codmn', 'river', 10, 'IV'],
  ['codmn', 'river', 10 + e, 'V'], ['codmn', 'river', 15, 'V'], ['codmn', 'river', 15 + e, 'worse_than_V'],
  // COD ≤ 15 (I and II share it: the better class) / 20 / 30 / 40
  ['cod', 'river', 15 - e, 'I'], ['cod', 'river', 15, 'I'], ['cod', 'river', 15 + e, 'III'], ['cod', 'river', 20, 'III'],
  ['cod', 'river', 20 + e, 'IV'], ['cod', 'river', 30, 'IV'], ['cod', 'river', 30 + e, 'V'], ['cod', 'river', 40, 'V'],
  ['cod', 'river', 40 + e, 'worse_than_V'],
  // DO ≥ 7.5 / 6 / 5 / 3 / 2
  ['do', 'river', 9, 'I'], ['do', 'river', 7.5, 'I'], ['do', 'river', 7.5 - e, 'II'], ['do', 'river', 6 + e, 'II'],
  ['do', 'river', 6, 'II'], ['do', 'river', 6 - e, 'III'], ['do', 'river', 5, 'III'], ['do', 'river', 5 - e, 'IV'],
  ['do', 'river', 3, 'IV'], ['do', 'river', 3 - e, 'V'], ['do', 'river', 2, 'V'], ['do', 'river', 2 - e, 'worse_than_V'],
  // pH 6–9 inclusive
  ['ph', 'river', 6 - e, 'worse_than_V'], ['ph', 'river', 6, 'I'], ['ph', 'river', 7.5, 'I'], ['ph', 'river', 9, 'I'],
  ['ph', 'river', 9 + e, 'worse_than_V'], ['ph', 'lake_reservoir', 5.9, 'worse_than_V'],
  // TP river ≤ 0.02 / 0.1 / 0.2 / 0.3 / 0.4
  ['tp', 'river', 0.02, 'I'], ['tp', 'river', 0.02 + e, 'II'], ['tp', 'river', 0.1, 'II'], ['tp', 'river', 0.1 + e, 'III'],
  ['tp', 'river', 0.2, 'III'], ['tp', 'river', 0.2 + e, 'IV'], ['tp', 'river', 0.3, 'IV'], ['tp', 'river', 0.3 + e, 'V'],
  ['tp', 'river', 0.4, 'V'], ['tp', 'river', 0.4 + e, 'worse_than_V'],
  // TP lake / reservoir ≤ 0.01 / 0.025 / 0.05 / 0.1 / 0.2
  ['tp', 'lake_reservoir', 0.01, 'I'], ['tp', 'lake_reservoir', 0.01 + e, 'II'], ['tp', 'lake_reservoir', 0.025, 'II'],
  ['tp', 'lake_reservoir', 0.025 + e, 'III'], ['tp', 'lake_reservoir', 0.05, 'III'], ['tp', 'lake_reservoir', 0.05 + e, 'IV'],
  ['tp', 'lake_reservoir', 0.1, 'IV'], ['tp', 'lake_reservoir', 0.1 + e, 'V'], ['tp', 'lake_reservoir', 0.2, 'V'],
  ['tp', 'lake_reservoir', 0.2 + e, 'worse_than_V'],
  // TN lake / reservoir ≤ 0.2 / 0.5 / 1.0 / 1.5 / 2.0
  ['tn', 'lake_reservoir', 0.2, 'I'], ['tn', 'lake_reservoir', 0.2 + e, 'II'], ['tn', 'lake_reservoir', 0.5, 'II'],
  ['tn', 'lake_reservoir', 0.5 + e, 'III'], ['tn', 'lake_reservoir', 1.0, 'III'], ['tn', 'lake_reservoir', 1.0 + e, 'IV'],
  ['tn', 'lake_reservoir', 1.5, 'IV'], ['tn', 'lake_reservoir', 1.5 + e, 'V'], ['tn', 'lake_reservoir', 2.0, 'V'],
  ['tn', 'lake_reservoir', 2.0 + e, 'worse_than_V'],
  // equal neighbouring limits: Hg I = II = 0.00005, Cd II = III = IV = 0.005, Cu II..V = 1.0
  ['hg', 'river', 0.00005, 'I'], ['hg', 'river', 0.00005 + 1e-9, 'III'], ['cd', 'river', 0.005, 'II'], ['cd', 'river', 0.005 + e, 'V'],
  ['cu', 'river', 1.0, 'II'], ['cu', 'river', 1.0 + e, 'worse_than_V'],
];

describe('GB 3838-2002 single-item class', () => {
  it.each(ROWS)('%s (%s) %d -> %s', (item, body, v, cls) => {
    expect(classifyWater(item, v, body)?.class).toBe(cls);
  });

  it('has no river TN limit and no water-temperature class', () => {
    expect(classifyWater('tn', 0.1, 'river')).toBeNull();
    expect(classifyWater('water_temp', 20, 'river')).toBeNull();
  });
});

describe('GB 3838-2002 section class', () => {
  it('is the worst item of the river set, ignoring TN, water temperature and fecal coliform', () => {
    const s = sectionClass({ ph: 7.8, do: 7.6, codmn: 3.1, nh3n: 0.4, tp: 0.12, tn: 5, water_temp: 30, fecal_coliform: 90000 }, 'river');
    expect(s.class).toBe('III');
    expect(s.determining).toEqual(['tp']);
    expect(s.perItem).not.toHaveProperty('tn');
  });

  it('uses lake TP limits and counts TN for lakes and reservoirs', () => {
    expect(sectionClass({ tp: 0.12, nh3n: 0.1 }, 'lake_reservoir').class).toBe('V');
    expect(sectionClass({ tn: 2.5, nh3n: 0.1 }, 'lake_reservoir').class).toBe('worse_than_V');
  });

  it('is null when nothing is evaluated', () => {
    expect(sectionClass({ tn: 3 }, 'river').class).toBeNull();
  });
});
