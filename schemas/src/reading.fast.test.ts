import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METRIC_CODES } from './metrics.js';
import { decodeReadingPayload, decodeReadingPayloadStrict } from './reading.js';

/**
 * decodeReadingPayload takes a hand-written fast path for well-formed JSON batch records and falls
 * back to the zod schemas for anything else; decodeReadingPayloadStrict is zod only. Both must
 * accept the same readings and report the same issues (reason, index, message) on any input.
 */
const T = Date.parse('2026-07-10T08:00:00Z');
const same = (payload: string, topicStation: string | null) => {
  const fast = decodeReadingPayload(payload, topicStation);
  const strict = decodeReadingPayloadStrict(payload, topicStation);
  expect(fast).toEqual(strict);
  return fast;
};

const station = fc.oneof(
  fc.constantFrom('hankou', 'wuhan-1', 'a', 'x'.repeat(64), 'x'.repeat(65), 'Hankou', '', '-bad', 'st ation', 'é'),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(1, null, true, [], {}),
);
const metric = fc.oneof(fc.constantFrom(...METRIC_CODES), fc.constantFrom('PH', '', 'unobtainium', 'constructor', '__proto__'), fc.string({ maxLength: 6 }), fc.constantFrom(1, null, {}));
const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(0, -0, 1e308, 5e-324, 'NaN', '7.1', null, true, [], {}),
);
const ts = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 53 }),
  fc.constantFrom(T, 0, -1, 8.64e15, 8.64e15 + 1, 2 ** 53, 2 ** 53 + 2, 1e300, 1.5, T + 0.5, -0),
  fc.constantFrom('2026-07-10T16:00:00+08:00', '2026-07-10T08:00:00Z', '2026-07-10T08:00:00', 'yesterday', '2026-02-30T00:00:00Z', ''),
  fc.constantFrom(null, true, [], {}),
);
const seq = fc.oneof(fc.nat(), fc.constantFrom(-1, 0.5, 2 ** 53, 2 ** 60, 1e300, '1', null, -0));
const quality = fc.oneof(fc.constantFrom('pass', 'suspect', 'fail', 'not_evaluated', 'PASS', '', 'good'), fc.constantFrom(1, null));
const opt = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
const record = fc.oneof(
  { weight: 8, arbitrary: fc.record({ station: opt(station), metric: opt(metric), value: opt(value), ts: opt(ts), seq: opt(seq), quality: opt(quality), extra: opt(fc.jsonValue({ maxDepth: 1 })) }) },
  { weight: 1, arbitrary: fc.constantFrom(null, 1, 'x', [], [1], true) },
);
const topic = fc.constantFrom(null, 'hankou', 'wuhan-1', 'Bad Topic', '');
const batchStation = fc.option(station, { nil: undefined, freq: 2 });

describe('decodeReadingPayload fast path agrees with the zod path', () => {
  it('on random batches of well-formed, mutated and hostile records', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 12 }), batchStation, topic, (readings, bs, topicStation) => {
        // JSON.stringify drops undefined keys, as a publisher would
        const payload = JSON.stringify({ v: 1, ...(bs === undefined ? {} : { station: bs }), readings });
        same(payload, topicStation);
      }),
      { numRuns: 3000 },
    );
  });

  it('on mutations of one well-formed record, field by field', () => {
    const base = { station: 'hankou', metric: 'ph', value: 7.4, ts: T, seq: 3, quality: 'pass' };
    const mutations: [string, unknown][] = [
      ['station', 'wuhan'], ['station', 'HANKOU'], ['station', ''], ['station', null], ['station', 5],
      ['metric', 'do'], ['metric', 'PH'], ['metric', 7], ['metric', null],
      ['value', -0], ['value', 1e308], ['value', '7.4'], ['value', null], ['value', [7.4]],
      ['ts', 0], ['ts', -1], ['ts', 8.64e15], ['ts', 8.64e15 + 1], ['ts', T + 0.5], ['ts', '2026-07-10T16:00:00+08:00'], ['ts', 'now'], ['ts', null],
      ['seq', 0], ['seq', -1], ['seq', 1.5], ['seq', 2 ** 53], ['seq', null], ['seq', '3'],
      ['quality', 'fail'], ['quality', 'not_evaluated'], ['quality', 'ok'], ['quality', null],
      ['unknownKey', { nested: true }],
    ];
    for (const topicStation of [null, 'hankou', 'wuhan']) {
      for (const [k, v] of mutations) {
        same(JSON.stringify({ v: 1, readings: [{ ...base, [k]: v }] }), topicStation);
        const without: Record<string, unknown> = { ...base };
        delete without[k];
        same(JSON.stringify({ v: 1, readings: [without] }), topicStation);
      }
    }
  });

  it('takes the fast path for the plain case and builds the same reading', () => {
    const d = same(JSON.stringify({ v: 1, readings: [{ metric: 'ph', value: 7.4, ts: T }, { metric: 'do', value: 8, ts: T, seq: 9, quality: 'suspect' }] }), 'hankou');
    expect(d.readings).toEqual([
      { station: 'hankou', metric: 'ph', value: 7.4, ts: T, quality: 'not_evaluated', seq: null },
      { station: 'hankou', metric: 'do', value: 8, ts: T, quality: 'suspect', seq: 9 },
    ]);
    expect(d.issues).toEqual([]);
  });

  it('treats a topic station that is not a valid id the same way', () => {
    const d = same(JSON.stringify({ v: 1, readings: [{ metric: 'ph', value: 7.4, ts: T }] }), 'Not A Station');
    expect(d.issues.map((i) => i.reason)).toEqual(['invalid_payload']);
  });
});
