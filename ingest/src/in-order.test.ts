import { describe, expect, it } from 'vitest';
import { InOrderRelease } from './in-order.js';

describe('InOrderRelease (acknowledgements in arrival order)', () => {
  // batches taken: how many tickets; completions: the order batches commit in; released: what each
  // completion releases (ticket numbers), then what is still held and outstanding
  const cases: { name: string; batches: number; completions: number[]; released: number[][]; held: number; outstanding: number }[] = [
    { name: 'commits in order: each released at once', batches: 3, completions: [0, 1, 2], released: [[0], [1], [2]], held: 0, outstanding: 0 },
    { name: 'a later batch commits first: held until the earlier one', batches: 2, completions: [1, 0], released: [[], [0, 1]], held: 0, outstanding: 0 },
    { name: 'three out of order', batches: 3, completions: [2, 1, 0], released: [[], [], [0, 1, 2]], held: 0, outstanding: 0 },
    { name: 'a gap releases the prefix only', batches: 4, completions: [0, 2, 3], released: [[0], [], []], held: 2, outstanding: 3 },
    { name: 'the gap closes: everything after it goes', batches: 4, completions: [0, 2, 3, 1], released: [[0], [], [], [1, 2, 3]], held: 0, outstanding: 0 },
    { name: 'interleaved: two in flight, the second always first', batches: 4, completions: [1, 0, 3, 2], released: [[], [0, 1], [], [2, 3]], held: 0, outstanding: 0 },
    { name: 'the oldest never commits (stopped while failing): nothing released', batches: 3, completions: [1, 2], released: [[], []], held: 2, outstanding: 3 },
    { name: 'nothing committed yet', batches: 2, completions: [], released: [], held: 0, outstanding: 2 },
  ];
  it.each(cases)('$name', ({ batches, completions, released, held, outstanding }) => {
    const q = new InOrderRelease<string>();
    const tickets = Array.from({ length: batches }, () => q.take());
    expect(tickets).toEqual(Array.from({ length: batches }, (_, i) => i));
    const got = completions.map((t) => q.complete(t, `b${t}`));
    expect(got).toEqual(released.map((r) => r.map((t) => `b${t}`)));
    expect(q.held).toBe(held);
    expect(q.outstanding).toBe(outstanding);
  });

  it.each([
    { name: 'twice', taken: 2, complete: [0, 0] },
    { name: 'released already', taken: 2, complete: [0, 1, 0] },
    { name: 'never taken', taken: 1, complete: [1] },
    { name: 'negative', taken: 1, complete: [-1] },
    { name: 'not an integer', taken: 2, complete: [0.5] },
  ])('refuses a ticket completed $name', ({ taken, complete }) => {
    const q = new InOrderRelease<number>();
    for (let i = 0; i < taken; i++) q.take();
    const last = complete.pop()!;
    for (const t of complete) q.complete(t, t);
    expect(() => q.complete(last, last)).toThrow(RangeError);
  });

  it('tickets keep counting after releases (long runs)', () => {
    const q = new InOrderRelease<number>();
    let released = 0;
    for (let i = 0; i < 1000; i += 2) {
      const a = q.take();
      const b = q.take();
      released += q.complete(b, b).length + q.complete(a, a).length;
    }
    expect(released).toBe(1000);
    expect(q.take()).toBe(1000);
  });
});
