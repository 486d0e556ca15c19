import { describe, expect, it } from 'vitest';
import { signalVerdict } from './shutdown.js';

describe('stop signals', () => {
  it.each([
    ['the first signal starts the shutdown', null, 1_000, 'start'],
    ['the same Ctrl-C relayed by npm or tsx a few ms later is ignored', 1_000, 1_030, 'repeat'],
    ['still the same keypress just inside the window', 1_000, 2_999, 'repeat'],
    ['a second Ctrl-C after the window forces the exit', 1_000, 3_000, 'force'],
  ] as const)('%s', (_name, firstAt, now, verdict) => {
    expect(signalVerdict(firstAt, now, 2_000)).toBe(verdict);
  });
});
