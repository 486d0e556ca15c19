/**
 * Exact timers for staleness rules: one deadline per key in a binary min-heap (lazy deletion), so the
 * service arms a single `setTimeout` for the earliest one instead of sweeping every station.
 */
export class Deadlines {
  private readonly at = new Map<string, number>();
  private heap: Array<[number, string]> = [];

  set(key: string, deadline: number): void {
    this.at.set(key, deadline);
    this.push([deadline, key]);
  }

  delete(key: string): void {
    this.at.delete(key);
  }

  get(key: string): number | undefined {
    return this.at.get(key);
  }

  /** Earliest live deadline, or null. */
  next(): number | null {
    this.prune();
    return this.heap.length ? this.heap[0]![0] : null;
  }

  /** Removes and returns every key whose deadline is at or before `now`, earliest first. */
  due(now: number): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (;;) {
      this.prune();
      const top = this.heap[0];
      if (!top || top[0] > now) return out;
      this.pop();
      this.at.delete(top[1]);
      out.push([top[1], top[0]]);
    }
  }

  get size(): number {
    return this.at.size;
  }

  private prune(): void {
    while (this.heap.length) {
      const [d, k] = this.heap[0]!;
      if (this.at.get(k) === d) return;
      this.pop();
    }
  }

  private push(e: [number, string]): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]![0] <= h[i]![0]) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
    // Lazy deletion leaves stale entries behind: rebuild when they dominate.
    if (h.length > 64 && h.length > 4 * this.at.size) this.rebuild();
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]![0] < h[m]![0]) m = l;
      if (r < h.length && h[r]![0] < h[m]![0]) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }

  private rebuild(): void {
    this.heap = [];
    const entries = [...this.at.entries()].map(([k, d]) => [d, k] as [number, string]).sort((a, b) => a[0] - b[0]);
    this.heap = entries; // a sorted array is a valid heap
  }
}
