import { describe, expect, it } from 'vitest';
import { CommitTracker, mergeRanges } from './commit-tracker.js';

describe('mergeRanges', () => {
  it.each([
    [[], []],
    [[[1, 3]], [[1, 3]]],
    [[[4, 6], [1, 3]], [[1, 6]]],
    [[[1, 3], [5, 6]], [[1, 3], [5, 6]]],
    [[[1, 10], [2, 3]], [[1, 10]]],
  ] as [number, number][][][])('%j -> %j', (input, out) => {
    expect(mergeRanges(input as [number, number][])).toEqual(out);
  });
});

describe('CommitTracker', () => {
  it('confirms a message without readings on its PUBACK', () => {
    const t = new CommitTracker();
    expect(t.await(1, '', 10, 0)).toBe(true);
    expect(t.awaiting).toBe(0);
  });

  it('completes a message only when every station range of it is committed', () => {
    const t = new CommitTracker();
    expect(t.await(7, 'a:1:3;b:1:2', 100, 0)).toBe(false);
    expect(t.committed('a', [[1, 3]])).toEqual([]);
    expect(t.committed('b', [[1, 1]])).toEqual([]);
    expect(t.committed('b', [[2, 2]])).toEqual([{ id: 7, meta: 'a:1:3;b:1:2', bytes: 100 }]);
    expect(t.awaiting).toBe(0);
  });

  it('keeps a confirmation that arrives before the PUBACK', () => {
    const t = new CommitTracker();
    expect(t.committed('a', [[1, 5]])).toEqual([]);
    expect(t.await(1, 'a:2:4', 1, 0)).toBe(true);
  });

  it('does not confirm a partly committed range, nor another station', () => {
    const t = new CommitTracker();
    t.await(1, 'a:1:4', 1, 0);
    expect(t.committed('a', [[1, 3]])).toEqual([]);
    expect(t.committed('b', [[1, 4]])).toEqual([]);
    expect(t.committed('a', [[4, 4]]).map((c) => c.id)).toEqual([1]);
  });

  it('gives back the messages unconfirmed after the timeout, oldest first, once', () => {
    const t = new CommitTracker();
    t.await(1, 'a:1:1', 1, 0);
    t.await(2, 'a:2:2', 1, 500);
    t.await(3, 'a:3:3', 1, 900);
    t.committed('a', [[2, 2]]);
    expect(t.expired(999, 1000)).toEqual([]);
    expect(t.expired(1600, 1000)).toEqual([1]);
    expect(t.expired(5000, 1000)).toEqual([3]);
    expect(t.expired(9000, 1000)).toEqual([]);
    expect(t.awaiting).toBe(0);
    // a late confirmation of an expired (re-sent) message changes nothing
    expect(t.committed('a', [[1, 3]])).toEqual([]);
  });

  it('starts the wait again when a re-sent message is acknowledged again', () => {
    const t = new CommitTracker();
    t.await(1, 'a:1:1', 1, 0);
    t.await(1, 'a:1:1', 1, 2000);
    expect(t.awaiting).toBe(1);
    expect(t.expired(2500, 1000)).toEqual([]);
    expect(t.committed('a', [[1, 1]]).map((c) => c.id)).toEqual([1]);
  });
});
