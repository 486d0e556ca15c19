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
  it('flat line: suspect, then fail, for a stuck sensor', () => {
    const n = (k: number) => ({ ts: Array.from({ length: k }, (_, i) => i * 60_000), v: Array(k).fill(7) as number[] });
    expect(evaluate(ph, 7, 1e9, n(28)).flag).toBe('pass');
    expect(evaluate(ph, 7, 1e9, n(29)).failed).toContainEqual({ test: 'flat_line', flag: 'suspect' });
    expect(evaluate(ph, 7, 1e9, n(59)).failed).toContainEqual({ test: 'flat_line', flag: 'fail' });
    expect(evaluate(QC_DEFAULTS.rainfall, 0, 1e9, n(100)).flag).toBe('pass'); // no flat line test for rain
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
