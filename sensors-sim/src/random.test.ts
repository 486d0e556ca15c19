import { describe, expect, it } from 'vitest';
import { hashGauss, smoothNoise } from './random.js';

describe('smoothNoise', () => {
  it('gives exactly the interpolated hashGauss knots (the knot memo never changes a value)', () => {
    const direct = (key: number, salt: number, t: number, p: number) => {
      const x = t / p;
      const i = Math.floor(x);
      const w = (1 - Math.cos(Math.PI * (x - i))) / 2;
      const a = hashGauss(key, salt, i);
      return a + (hashGauss(key, salt, i + 1) - a) * w;
    };
    for (let n = 0; n < 100_000; n++) {
      const key = (n * 2654435761) ^ (n >>> 3); // signed and unsigned keys, many collisions in the memo
      const salt = n % 37;
      const t = Date.UTC(2026, 0, 1) + (n % 977) * 60_000 * 7;
      const p = [6, 12, 24, 48][n % 4]! * 3_600_000;
      expect(smoothNoise(key, salt, t, p)).toBe(direct(key, salt, t, p));
      expect(smoothNoise(key, salt, t, p)).toBe(direct(key, salt, t, p));
    }
  });
});
