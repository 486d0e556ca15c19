import { describe, expect, it } from 'vitest';
import { METRIC_CODES, type Reading } from '@basin/schemas';
import { QC_DEFAULTS, QcEngine, QcOverrides, evaluate, qcThresholds } from './qc.js';

const r = (value: number, ts: number, metric: Reading['metric'] = 'ph', quality: Reading['quality'] = 'not_evaluated'): Reading => ({ station: 's', metric, value, ts, quality, seq: null });

describe('QC tests (QARTOD style)', () => {
  const ph = QC_DEFAULTS.ph;
  it('has thresholds for every metric', () => {
    for (const m of METRIC_CODES) expect(QC_DEFAULTS[m]).toBeDefined();
  });
  it('gross range: suspect outside the climatological span, fail outside the plausible span', () => {
    expect(evaluate(ph, 7.5, 0, null).flag).toBe('pass');
    expect(evaluate(ph, 9.8, 0, null)).toEqual({ flag: 'suspect', failed: [{ test: 'gross_range', flag: 'suspect' }] });
    expect(evaluate(ph, 13, 0, null)).toEqual({ flag: 'fail', failed: [{ test: 'gross_range', flag: 'fail' }] });
  });
  it('spike against the median of the previous values', () => {
    const h = { ts: [0, 3_600_000, 7_200_000], v: [7.0, 7.1, 7.0] };
    expect(evaluate(ph, 7.2, 10_800_000, h).flag).toBe('pass');
    expect(evaluate(ph, 7.8, 10_800_000, h).failed).toEqual([{ test: 'spike', flag: 'suspect' }]);
    expect(evaluate(ph, 8.9, 10_800_000, h).failed).toContainEqual({ test: 'spike', flag: 'fail' });
  });
  it('rate of change per hour, with the step floored at 5 minutes', () => {
    const h = { ts: [0], v: [7.0] };
    expect(evaluate(ph, 7.05, 10_000, h).failed.map((f) => f.test)).not.toContain('rate_of_change'); // 0.05 in 10 s: fine
    expect(evaluate(ph, 8.0, 600_000, h).failed).toContainEqual({ test: 'rate_of_change', flag: 'suspect' }); // 1.0 in 10 min
    expect(evaluate(ph, 8.0, 7_200_000, h).failed.map((f) => f.test)).not.toContain('rate_of_change'); // 1.0 in 2 h
  });
  // k repeats of 7 before the value, `stepMin` minutes apart, the value `stepMin` after the last
  const run = (k: number, stepMin: number) => ({ ts: Array.from({ length: k }, (_, i) => i * stepMin * 60_000), v: Array(k).fill(7) as number[] });
  const at = (k: number, stepMin: number) => k * stepMin * 60_000;
  it.each([
    ['28 repeats over 7 h', 28, 15, 'pass'],
    ['29 repeats over 7.25 h: suspect', 29, 15, 'suspect'],
    ['59 repeats over 14.75 h: fails', 59, 15, 'fail'],
    ['59 repeats over 5.9 h (6-min steps): too short to be suspect', 59, 6, 'pass'],
    ['59 repeats over 10 min (10-s steps): a slow signal, not a stuck sensor', 59, 1 / 6, 'pass'],
    ['59 repeats over 9.8 h: suspect, too short to fail', 59, 10, 'suspect'],
  ] as const)('flat line: %s', (_name, k, stepMin, flag) => {
    expect(evaluate(ph, 7, at(k, stepMin), run(k, stepMin)).flag).toBe(flag);
  });
  it('flat line: a run longer than the window keeps its start; a different value restarts it', () => {
    const h = { ...run(59, 1 / 6), runFrom: -13 * 3_600_000 }; // began 13 h before the window
    expect(evaluate(ph, 7, at(59, 1 / 6), h).flag).toBe('fail');
    expect(evaluate(ph, 7.05, at(59, 1 / 6), h).flag).toBe('pass');
    expect(evaluate(QC_DEFAULTS.rainfall, 0, at(100, 15), run(100, 15)).flag).toBe('pass'); // no flat line test for rain
  });
  it('a device hint can only make the flag worse', () => {
    expect(evaluate(ph, 7, 0, null, 'suspect').flag).toBe('suspect');
    expect(evaluate(ph, 13, 0, null, 'pass').flag).toBe('fail');
  });
  it('overrides are validated and merged per metric', () => {
    const o = QcOverrides.parse({ ph: { range: { suspect: [6.5, 8.5] }, flat: null } });
    const t = qcThresholds(o);
    expect(t.ph.range).toEqual({ fail: ph.range.fail, suspect: [6.5, 8.5] });
    expect(t.ph.flat).toBeNull();
    expect(t.ph.spike).toEqual(ph.spike);
    expect(QcOverrides.safeParse({ ph: { range: { suspect: [9, 6] } } }).success).toBe(false);
    expect(QcOverrides.safeParse({ nope: {} }).success).toBe(false);
  });
});

describe('QcEngine windows', () => {
  it.each([
    ['500 repeats 2 min apart (16.6 h): the run outlives the window and fails', 2, null, 'fail'],
    ['500 repeats 10 s apart (83 min): passes', 1 / 6, null, 'pass'],
    ['a different value 4 h before the end restarts the run: passes', 2, 380, 'pass'],
  ] as const)('flat line across window shifts: %s', (_name, stepMin, breakAt, flag) => {
    const qc = new QcEngine(10);
    const batch = Array.from({ length: 500 }, (_, i) => r(i === breakAt ? 7.3 : 7, i * stepMin * 60_000));
    expect(qc.evaluateBatch(batch).at(-1)!.flag).toBe(flag);
  });
  it('evaluates a batch in time order, bounded window, advanced by the evaluation', () => {
    const qc = new QcEngine(5);
    const batch = [r(7.0, 3000), r(7.0, 1000), r(7.0, 2000), r(9.0, 4000)];
    expect(qc.evaluateBatch(batch).map((x) => x.flag)).toEqual(['pass', 'pass', 'pass', 'fail']); // 2.0 spike fails
    // evaluated once: the same readings again are redelivered / late and get the gross range test only
    expect(qc.evaluateBatch(batch).map((x) => x.flag)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(qc.evaluateBatch([r(9.0, 2000)])[0]).toEqual({ flag: 'pass', failed: [] });
    // the next batch sees the previous one's values: 9.0 against the median of 7, 7, 9 is a spike
    expect(qc.evaluateBatch([r(9.0, 5000)])[0]!.failed).toContainEqual({ test: 'spike', flag: 'fail' });
    // the window stays bounded
    for (let i = 0; i < 20; i++) qc.evaluateBatch([r(7 + (i % 2) * 0.01, 6000 + i * 1000)]);
    expect(qc.rangeOnly(r(300, 1)).flag).toBe('fail');
  });
  it('keeps at most maxSeries windows (least recently used evicted)', () => {
    const qc = new QcEngine(5, {}, 10);
    for (let i = 0; i < 30; i++) qc.evaluateBatch([{ ...r(7, 1000), station: `s${i}` }]);
    expect(qc.seriesCount).toBe(10);
  });
});
