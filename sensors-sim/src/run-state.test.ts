import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { confirmedMeta, publishedMeta } from './manifest.js';
import { loadRunState, saveRunState } from './run-state.js';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'run-state-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('run state (state.json)', () => {
  it('starts fresh, then resumes what was saved', () => {
    const dir = fresh();
    const a = loadRunState(dir, 'k', 1000);
    expect(a.resumed).toBe(false);
    a.state.nextTick = 61_000;
    a.state.seq.hankou = 7;
    saveRunState(dir, a.state);
    const b = loadRunState(dir, 'k', 1000);
    expect(b).toMatchObject({ resumed: true, state: { nextTick: 61_000, seq: { hankou: 7 } } });
  });

  it.each([
    ['not JSON', '{"v":1,', 'SIM_OUTBOX_CORRUPT'],
    ['wrong shape', JSON.stringify({ v: 1, runKey: 'k', t0: 0, nextTick: 'soon', seq: {}, manifest: {} }), 'SIM_OUTBOX_CORRUPT'],
    ['negative seq', JSON.stringify({ v: 1, runKey: 'k', t0: 0, nextTick: 0, seq: { a: -1 }, manifest: {} }), 'SIM_OUTBOX_CORRUPT'],
    ['another run', JSON.stringify({ v: 1, runKey: 'other', t0: 0, nextTick: 0, seq: {}, manifest: {} }), 'SIM_OUTBOX_MISMATCH'],
  ])('refuses a state file that is %s', (_why, text, code) => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'state.json'), text);
    expect(() => loadRunState(dir, 'k', 0)).toThrow(expect.objectContaining({ code }));
  });
});

describe('manifest', () => {
  it('counts published ranges and confirmed ones once, in any order', () => {
    const m = {};
    expect(publishedMeta(m, 'a:1:3;b:1:2')).toBe(5);
    expect(publishedMeta(m, 'a:4:6')).toBe(3);
    expect(confirmedMeta(m, 'a:4:6')).toBe(3); // out of order
    expect(confirmedMeta(m, 'a:1:3;b:1:2')).toBe(5);
    expect(confirmedMeta(m, 'a:1:3')).toBe(0); // a repeat
    expect(m).toEqual({
      a: { published: { first: 1, last: 6, count: 6 }, acknowledged: { first: 1, last: 6, count: 6 } },
      b: { published: { first: 1, last: 2, count: 2 }, acknowledged: { first: 1, last: 2, count: 2 } },
    });
  });
});
