import { describe, expect, it } from 'vitest';
import { SEVERITY_RANK, WaterClass } from './domain.js';
import { Alert, Task } from './ops.js';

describe('shared command-and-dispatch shapes', () => {
  it('ranks the four warning colours', () => {
    expect(Object.entries(SEVERITY_RANK).sort((a, b) => a[1] - b[1]).map(([k]) => k)).toEqual(['blue', 'yellow', 'orange', 'red']);
  });

  it('knows GB 3838 classes I to worse than V', () => {
    expect(WaterClass.options).toEqual(['I', 'II', 'III', 'IV', 'V', 'worse_than_V']);
  });

  const alert = {
    id: 1, ruleId: 'flood-gauge-warning', ruleVersion: 2, subject: 'hankou', kind: 'flood', severity: 'yellow', state: 'firing', title: '汉口超警戒',
    message: null, station: 'hankou', metric: 'water_level', reach: null, river: 'Yangtze', adminUnit: '湖北省武汉市', riverChief: null, evidence: {},
    openedAt: '2020-07-12T00:00:00Z', updatedAt: '2020-07-12T00:00:00Z', acknowledgedAt: null, acknowledgedBy: null, dispatchedAt: null, dispatchedBy: null,
    resolvedAt: null, resolvedBy: null, resolution: null,
  };
  it.each([
    ['a firing alert', alert, true],
    ['an unknown state', { ...alert, state: 'closed' }, false],
    ['an unknown severity', { ...alert, severity: 'green' }, false],
    ['a missing field', { ...alert, title: undefined }, false],
  ])('alert: %s', (_name, input, ok) => {
    expect(Alert.safeParse(input).success).toBe(ok);
  });

  const task = {
    id: 7, alertId: 1, planId: 'jingjiang-orange', planVersion: 1, team: '荆州市防汛抗旱指挥部巡堤队', action: '巡堤查险', location: null, station: 'shashi',
    deadline: null, state: 'open', createdAt: '2020-07-12T00:00:00Z', createdBy: 'system:rules', updatedAt: '2020-07-12T00:00:00Z', acceptedBy: null,
    doneAt: null, doneBy: null, note: null,
  };
  it.each([
    ['an open task', task, true],
    ['an unknown state', { ...task, state: 'pending' }, false],
  ])('task: %s', (_name, input, ok) => {
    expect(Task.safeParse(input).success).toBe(ok);
  });
});
