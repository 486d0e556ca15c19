import { describe, expect, it } from 'vitest';
import { modifierOf, newAlerts, peakRows, predictedColours, type ModifierForm, type RehearsalResult } from './rehearsal';
import { SEVERITY_COLOR } from './status';

const form = (o: Partial<ModifierForm>): ModifierForm => ({ type: 'reservoir_outflow', station: 'three-gorges', river: '', metric: 'nh3n', amount: '', hours: '24', startHours: '', ...o });

describe('modifierOf (the form → a modifier the API accepts)', () => {
  it.each([
    ['a Three Gorges release', form({ amount: '45000' }), { type: 'reservoir_outflow', station: 'three-gorges', outflow: 45000, hours: 24, startHours: 0 }],
    ['rain on the Han, starting in 6 h', form({ type: 'rainfall', river: 'Han', amount: '120', hours: '12', startHours: '6' }), { type: 'rainfall', river: 'Han', mm: 120, hours: 12, startHours: 6 }],
    ['a spill', form({ type: 'spill', station: 'wq-zongguan', metric: 'nh3n', amount: '5000', hours: '2' }), { type: 'spill', station: 'wq-zongguan', metric: 'nh3n', massKg: 5000, hours: 2, startHours: 0 }],
    ['a gauge offline (amount and hours ignored)', form({ type: 'gauge_offline', station: 'hankou', amount: 'x' }), { type: 'gauge_offline', station: 'hankou' }],
  ] as const)('%s', (_name, f, modifier) => {
    expect(modifierOf(f)).toEqual({ ok: true, modifier });
  });
  it.each([
    ['an empty outflow', form({ amount: '' }), 'outflow'],
    ['an outflow beyond 150,000 m³/s', form({ amount: '200000' }), 'outflow'],
    ['no hours', form({ amount: '30000', hours: '' }), 'hours'],
    ['a spill of an unknown pollutant', form({ type: 'spill', station: 'wq-zongguan', metric: 'lead', amount: '10', hours: '1' }), 'metric'],
  ] as const)('%s: a problem naming the field', (_name, f, field) => {
    const r = modifierOf(f);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join(' ')).toContain(field);
  });
});

const levels = { setup: 25, warning: 27.3, guaranteed: 29.73, historicalMax: 29.73 + 0.0 } as never;
const result: Pick<RehearsalResult, 'alerts' | 'baseline' | 'peaks'> = {
  peaks: [
    { station: 'hankou', metric: 'water_level', value: 28.1, at: 3 },
    { station: 'shashi', metric: 'water_level', value: 40.2, at: 2 },
    { station: 'wq-x', metric: 'nh3n', value: 2.4, at: 5 },
  ],
  baseline: {
    peaks: [
      { station: 'hankou', metric: 'water_level', value: 26.9, at: 3 },
      { station: 'wq-x', metric: 'nh3n', value: 0.4, at: 5 },
    ],
    alerts: [{ kind: 'open', ruleId: 'flood', subject: 'shashi', severity: 'blue', at: 1, reason: '' }],
  },
  alerts: [
    { kind: 'open', ruleId: 'flood', subject: 'shashi', severity: 'blue', at: 1, reason: '' },
    { kind: 'open', ruleId: 'nh3n', subject: 'wq-x', severity: 'orange', at: 4, reason: '' },
    { kind: 'clear', ruleId: 'old', subject: 'gone', severity: 'red', at: 6, reason: '' },
  ],
};
const stations = new Map([['hankou', { levels }], ['shashi', { levels: null }], ['wq-x', { levels: null }]]);

describe('a finished rehearsal', () => {
  it('peak rows: flood levels first, then by how far the modifiers move the peak; baseline and current beside', () => {
    const rows = peakRows(result, stations, new Map([['hankou\u0000water_level', 26.5]]));
    expect(rows.map((r) => [r.station, r.flood, r.baseline, r.current])).toEqual([
      ['hankou', 'yellow', 26.9, 26.5],
      ['wq-x', null, 0.4, null],
      ['shashi', null, null, null],
    ]);
  });
  it('map colours: the worse of the predicted flood level and the alert raised; cleared alerts and quiet stations keep their live colour', () => {
    const colours = predictedColours(result, peakRows(result, stations, new Map()));
    expect(Object.fromEntries(colours)).toEqual({ hankou: SEVERITY_COLOR.yellow, shashi: SEVERITY_COLOR.blue, 'wq-x': SEVERITY_COLOR.orange });
  });
  it('new alerts: those its baseline does not raise', () => {
    expect(newAlerts(result).map((a) => a.subject)).toEqual(['wq-x']);
  });
});
