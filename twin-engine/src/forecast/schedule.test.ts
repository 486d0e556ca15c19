import { describe, expect, it } from 'vitest';
import { dueAt, IDLE, issueHour, onElected, onInput, onRunFailed, onRunStarted, type ScheduleState } from './schedule.js';

const O = { quietMs: 60_000, maxWaitMs: 600_000 };
const feed = (times: number[], s: ScheduleState = IDLE) => times.reduce(onInput, s);

describe('forecast re-run schedule (debounce with a maximum wait)', () => {
  it.each([
    { name: 'nothing pending', inputs: [], due: null },
    { name: 'one reading: quiet period after it', inputs: [1000], due: 61_000 },
    { name: 'a burst: quiet period after the last', inputs: [0, 10_000, 50_000], due: 110_000 },
    { name: 'a steady stream: the maximum wait caps the delay', inputs: Array.from({ length: 30 }, (_, i) => i * 30_000), due: 600_000 },
    { name: 'just under the cap: the quiet period wins', inputs: [0, 539_999], due: 599_999 },
    { name: 'just over the cap: the cap wins', inputs: [0, 540_001], due: 600_000 },
    { name: 'late arrival order: newest arrival counts', inputs: [50_000, 20_000], due: 110_000 },
  ])('$name', ({ inputs, due }) => {
    expect(dueAt(feed(inputs), O)).toBe(due);
  });

  it('a run covers the inputs before it; inputs during it stay pending', () => {
    const s = feed([0, 10_000]);
    expect(dueAt(onRunStarted(s, 70_000), O)).toBeNull();
    const during = onInput(onRunStarted(s, 70_000), 80_000);
    expect(dueAt(during, O)).toBe(140_000);
  });

  it('a failed run is retried after the quiet period', () => {
    const s = onRunFailed(onRunStarted(feed([0]), 60_000), 61_000);
    expect(dueAt(s, O)).toBe(121_000);
  });

  it.each([
    ['2026-07-01T05:00:00Z', '2026-07-01T05:00:00Z'],
    ['2026-07-01T05:59:59.999Z', '2026-07-01T05:00:00Z'],
    ['2026-07-01T06:00:00Z', '2026-07-01T06:00:00Z'],
  ])('issue hour of a reading at %s is %s', (ts, want) => {
    expect(issueHour(Date.parse(ts))).toBe(Date.parse(want));
  });
});

describe('election', () => {
  const o = { quietMs: 60_000, maxWaitMs: 600_000 };
  it.each([
    ['nothing pending', IDLE],
    ['inputs pending, quiet period not over', onInput(IDLE, 995_000)],
    ['a steady stream of inputs', [900_000, 910_000, 920_000, 990_000].reduce(onInput, IDLE)],
  ] as const)('a new producer runs one quiet period after its election: %s', (_name, s) => {
    expect(dueAt(onElected(s, 1_000_000, o), o)).toBe(1_060_000);
    // and inputs arriving meanwhile do not push it back
    expect(dueAt(onInput(onElected(s, 1_000_000, o), 1_050_000), o)).toBe(1_060_000);
  });
});
