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
  return mixBits(h) >>> 0;
}

/** mix32's bits as a signed int32: stays a small integer (no heap number) between the steps of hashUnit. */
function mixBits(h: number): number {
  h |= 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Uniform [0, 1) from a combination of integers: stateless, so any instant can be evaluated alone. */
export function hashUnit(a: number, b: number, c = 0, d = 0): number {
  return (hashBits(a, b, c, d) >>> 0) / 4294967296;
}

/** hashUnit's 32 bits, as a signed int32. */
function hashBits(a: number, b: number, c: number, d: number): number {
  return mixBits(mixBits(mixBits(mixBits(a ^ 0x9e3779b9) ^ b) ^ c) ^ d);
}

/** Approximately standard normal deviate from hashes (sum of 4 uniforms, rescaled; bounded at ±3.46). */
export function hashGauss(a: number, b: number, c = 0, d = 0): number {
  // The four uniforms summed as integers, then scaled: exact (a sum of four 32-bit integers
  // divided by a power of two), so the same value as summing hashUnit's, without four doubles.
  const sum = (hashBits(a, b, c, d) >>> 0) + (hashBits(a ^ 0x68e31da4, b, c, d) >>> 0) + (hashBits(a, b ^ 0x3c6ef372, c, d) >>> 0) + (hashBits(a, b, c ^ 0x1b873593, d) >>> 0);
  return (sum / 4294967296 - 2) * 1.7320508075688772;
}

/**
 * Smooth noise in time: a standard-normal-ish value at every `periodMs` knot, cosine-interpolated
 * between knots. Auto-correlated over ~periodMs, and a pure function of (key, t).
 */
export function smoothNoise(key: number, salt: number, t: number, periodMs: number): number {
  const x = t / periodMs;
  const i = Math.floor(x);
  const w = (1 - Math.cos(Math.PI * (x - i))) / 2;
  const s = slotOf(key, salt);
  const k = 3 * s;
  if (memoI[k] !== i || memoTag[2 * s] !== (key | 0) || memoTag[2 * s + 1] !== (salt | 0)) fill(s, key, salt, i);
  const a = memoI[k + 1]!;
  return a + (memoI[k + 2]! - a) * w;
}

// The knots of a series repeat for many consecutive samples (a knot every few hours, a sample a
// minute): a memo of the two knots around the last instant saves the hashing. Pure function, so a
// slot taken by another series only costs a recomputation. The slots of one key (a station) sit
// in one block, so sampling a station touches a few adjacent cache lines: with one global
// hash-addressed table (the previous layout) every knot was a cache miss, and noise took half of
// a sample's time (about 2.5 µs per message at 10,000 stations, `npm run bench -- sim`).
const BLOCKS = 1 << 14;
const SLOTS = 16;
/** Per slot: knot index i, knot values at i and i + 1. */
const memoI = new Float64Array(3 * BLOCKS * SLOTS).fill(Number.NaN);
/** Per slot: key, salt. */
const memoTag = new Int32Array(2 * BLOCKS * SLOTS);

function slotOf(key: number, salt: number): number {
  const block = mix32(key >>> 0) & (BLOCKS - 1);
  return block * SLOTS + ((salt ^ (salt >>> 7) ^ (key >>> 20)) & (SLOTS - 1));
}

function fill(s: number, key: number, salt: number, i: number): void {
  const k = 3 * s;
  const same = memoTag[2 * s] === (key | 0) && memoTag[2 * s + 1] === (salt | 0);
  // Moving on by one knot: the old right knot is the new left one.
  memoI[k + 1] = same && memoI[k] === i - 1 ? memoI[k + 2]! : hashGauss(key, salt, i);
  memoI[k + 2] = hashGauss(key, salt, i + 1);
  memoI[k] = i;
  memoTag[2 * s] = key;
  memoTag[2 * s + 1] = salt;
}
