/** Deterministic PRNG (mulberry32) so every run with the same --seed produces the same data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviate from a uniform source (Box-Muller). */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Stable 32-bit hash of a string (FNV-1a), to derive per-station seeds. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** 32-bit integer mix (murmur3 finaliser). */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform [0, 1) from a combination of integers: stateless, so any instant can be evaluated alone. */
export function hashUnit(a: number, b: number, c = 0, d = 0): number {
  let h = mix32((a ^ 0x9e3779b9) >>> 0);
  h = mix32((h ^ b) >>> 0);
  h = mix32((h ^ c) >>> 0);
  h = mix32((h ^ d) >>> 0);
  return h / 4294967296;
}

/** Approximately standard normal deviate from hashes (sum of 4 uniforms, rescaled; bounded at ±3.46). */
export function hashGauss(a: number, b: number, c = 0, d = 0): number {
  const u = hashUnit(a, b, c, d);
  const v = hashUnit(a ^ 0x68e31da4, b, c, d);
  const w = hashUnit(a, b ^ 0x3c6ef372, c, d);
  const x = hashUnit(a, b, c ^ 0x1b873593, d);
  return (u + v + w + x - 2) * 1.7320508075688772;
}

/**
 * Smooth noise in time: a standard-normal-ish value at every `periodMs` knot, cosine-interpolated
 * between knots. Auto-correlated over ~periodMs, and a pure function of (key, t).
 */
export function smoothNoise(key: number, salt: number, t: number, periodMs: number): number {
  const x = t / periodMs;
  const i = Math.floor(x);
  const f = x - i;
  const a = knot(key, salt, i);
  const b = knot(key, salt, i + 1);
  const w = (1 - Math.cos(Math.PI * f)) / 2;
  return a + (b - a) * w;
}

// Knot values repeat for many consecutive samples (a knot every few hours, a sample a minute):
// a direct-mapped memo of hashGauss(key, salt, i) saves most of the hashing. Pure function, so a
// slot overwritten by another knot only costs a recomputation.
const MEMO_SIZE = 1 << 18;
const memoKey = new Int32Array(MEMO_SIZE);
const memoSalt = new Int32Array(MEMO_SIZE);
const memoI = new Float64Array(MEMO_SIZE).fill(Number.NaN);
const memoV = new Float64Array(MEMO_SIZE);

function knot(key: number, salt: number, i: number): number {
  const slot = mix32((key ^ Math.imul(salt, 0x9e3779b1) ^ Math.imul(i, 0x85ebca6b)) >>> 0) & (MEMO_SIZE - 1);
  if (memoI[slot] === i && memoKey[slot] === (key | 0) && memoSalt[slot] === (salt | 0)) return memoV[slot]!;
  const v = hashGauss(key, salt, i);
  memoKey[slot] = key;
  memoSalt[slot] = salt;
  memoI[slot] = i;
  memoV[slot] = v;
  return v;
}
