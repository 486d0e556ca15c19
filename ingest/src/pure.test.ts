import { describe, expect, it } from 'vitest';
import { BASIN_STATIONS, Station, deriveMn, type Reading } from '@basin/schemas';
import { Hj212Devices } from './hj212/devices.js';
import { LetterSet, classifyMqtt, jsonDepth, type ClassifyContext } from './classify.js';
import { committedAcks, toRanges } from './committed.js';
import { evaluateHealth } from './health.js';
import { badLengthEnd } from './hj212/listener.js';
import { mayReply } from './hj212/replies.js';
import { mergeByVersion, mergeReadings, mergeStatuses } from './merge.js';
import { RegistryDoc, canonicalJson, decideRegistry, registryCanonical } from './registry.js';
import { readingColumns } from './store.js';

const r = (value: number, ts = 1000, seq: number | null = null, station = 'hankou'): Reading => ({ station, metric: 'water_level', value, ts, quality: 'not_evaluated', seq });

describe('merge', () => {
  it('keeps the first reading per key; repeats counted, other values are conflicts', () => {
    const m = mergeReadings([
      { reading: r(1), source: 'a' },
      { reading: r(1), source: 'b' },
      { reading: r(2), source: 'c' },
      { reading: r(3, 2000), source: 'd' },
    ]);
    expect(m.readings.map((x) => x.value)).toEqual([1, 3]);
    expect(m.sources).toEqual(['a', 'd']);
    expect(m.repeats).toBe(1);
    expect(m.conflicts).toEqual([{ reading: r(2), source: 'c' }]);
  });
  it.each([
    { name: 'in time order', ts: [1, 2, 3], kept: [1, 2, 3], repeats: 0, newest: [3] },
    { name: 'back in time inside the batch', ts: [3, 1, 2, 1, 3], kept: [3, 1, 2], repeats: 2, newest: [3] },
    { name: 'newest first', ts: [5, 4], kept: [5, 4], repeats: 0, newest: [5] },
  ])('merges a series that goes $name; newest reading per series', ({ ts, kept, repeats, newest }) => {
    const m = mergeReadings([...ts.map((t) => ({ reading: r(t, t * 1000), source: 's' })), { reading: r(9, 1000, null, 'wuhan'), source: 'w' }]);
    expect(m.readings.filter((x) => x.station === 'hankou').map((x) => x.ts / 1000)).toEqual(kept);
    expect(m.repeats).toBe(repeats);
    expect(m.newest.map((i) => [m.readings[i]!.station, m.readings[i]!.ts / 1000])).toEqual([...newest.map((t) => ['hankou', t]), ['wuhan', 1]]);
  });
  it('newest status per client, highest version per key', () => {
    const st = (client: string, ts: number) => ({ client, status: { v: 1 as const, client, state: 'online' as const, ts, kind: 'station' as const } });
    expect(mergeStatuses([st('a', 5), st('a', 3), st('b', 1), st('a', 5)]).map((s) => [s.client, s.status.ts])).toEqual([
      ['a', 5],
      ['b', 1],
    ]);
    expect(mergeByVersion([{ k: 'x', v: 2, n: 1 }, { k: 'x', v: 1, n: 2 }, { k: 'x', v: 2, n: 3 }], (x) => x.k, (x) => x.v)).toEqual([{ k: 'x', v: 2, n: 3 }]);
  });
});

describe('registry decisions', () => {
  const doc = (over: Record<string, unknown> = {}) =>
    RegistryDoc.parse({ id: 'wq-new', name: { zh: '新', en: 'New' }, kind: 'water_quality', location: { lon: 114, lat: 30.5 }, metrics: ['ph'], jurisdiction: { admin: 'a', owner: 'o' }, ...over });
  const canon = (d: RegistryDoc) => {
    const { version: _v, ...st } = d;
    return canonicalJson(st);
  };
  it.each([
    ['new station', doc(), 'wq-new', undefined, 'created'],
    ['same document again', doc(), 'wq-new', { version: 1, canonical: canon(doc()) }, 'unchanged'],
    ['changed, same version', doc({ name: { zh: '新', en: 'Other' } }), 'wq-new', { version: 1, canonical: canon(doc()) }, 'stale_version'],
    ['changed, higher version', doc({ version: 2, name: { zh: '新', en: 'Other' } }), 'wq-new', { version: 1, canonical: canon(doc()) }, 'updated'],
    ['catalogue station', doc({ id: BASIN_STATIONS[0]!.id }), BASIN_STATIONS[0]!.id, undefined, 'catalogue_protected'],
    ['outside the basin', doc({ location: { lon: 0, lat: 0 } }), 'wq-new', undefined, 'outside_basin'],
    ['other topic', doc(), 'wq-other', undefined, 'station_mismatch'],
  ])('%s', (_name, d, topic, current, want) => {
    const out = decideRegistry(d, topic, current);
    expect(out.action === 'rejected' ? out.reason : out.action).toBe(want);
  });
  it('rejects metrics outside the catalogue and bad ids by schema', () => {
    expect(RegistryDoc.safeParse({ ...doc(), metrics: ['bogus'] }).success).toBe(false);
    expect(RegistryDoc.safeParse({ ...doc(), id: 'Bad Id' }).success).toBe(false);
  });
  it('a stored derived MN compares equal to a document without one', () => {
    const d = doc();
    const { version: _v, ...st } = d;
    expect(registryCanonical({ ...st, mn: deriveMn(st.id) })).toBe(registryCanonical(st));
    expect(registryCanonical({ ...st, mn: 'LOGGER-7' })).not.toBe(registryCanonical(st));
  });
  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
  });
});

describe('commit confirmations', () => {
  it.each([
    [[], []],
    [[5], [[5, 5]]],
    [[3, 1, 2, 2, 7, 8, 10], [[1, 3], [7, 8], [10, 10]]],
  ])('ranges of %j', (seqs, want) => {
    expect(toRanges(seqs)).toEqual(want);
  });
  it('per station, stored and dead-lettered seqs, no seq-less readings', () => {
    const acks = committedAcks([{ readings: [r(1, 1, 1), r(1, 2, 2), r(1, 3, null), r(1, 4, 9, 'shashi')], handled: [{ station: 'hankou', seq: 3 }] }], 77);
    expect(acks).toEqual([
      { v: 1, station: 'hankou', seqs: [[1, 3]], ts: 77 },
      { v: 1, station: 'shashi', seqs: [[9, 9]], ts: 77 },
    ]);
  });
});

describe('health', () => {
  const base = { now: 100_000, mqttConnected: true, failure: null, oldestPendingAt: null, maxLagMs: 30_000, paused: false, stopping: false, pendingMessages: 0, pendingReadings: 0 };
  it.each([
    ['all well', {}, 'ok', true, []],
    ['commits failing', { failure: { since: 90_000, attempts: 4, code: '08006', message: 'gone' } }, 'degraded', false, ['commits failing for 10 s (08006: gone)']],
    ['lag', { oldestPendingAt: 50_000 }, 'degraded', false, ['lag: oldest unacknowledged message is 50 s old (limit 30 s)']],
    ['broker down', { mqttConnected: false }, 'degraded', false, ['mqtt: not connected to the broker']],
    ['backpressure', { paused: true }, 'ok', false, ['backpressure: reading paused until held messages are committed']],
  ])('%s', (_n, over, status, ready, reasons) => {
    const h = evaluateHealth({ ...base, ...over });
    expect([h.status, h.ready, h.reasons]).toEqual([status, ready, reasons]);
  });
});

describe('classify', () => {
  const ctx: ClassifyContext = { now: Date.now(), stations: new Map(BASIN_STATIONS.map((s) => [s.id, s])), limits: { maxFutureMs: 300_000, maxPastMs: 365 * 86_400_000 }, provisioned: () => undefined };
  it.each([
    ['{}', 1],
    ['[[[]]]', 3],
    ['{"a":"[[[[["}', 1],
    ['{"a":"\\"[[["}', 1],
    ['['.repeat(100_000), 33],
  ])('depth of %j', (text, want) => {
    expect(jsonDepth(Buffer.from(text.slice(0, 200_000)))).toBe(want);
  });
  it('one dead letter per message and reason, with a count; retained ones carry a digest', () => {
    const l = new LetterSet('t', Buffer.from('x'), true);
    for (let i = 0; i < 3; i++) l.add('unknown_station', 'station x is not registered');
    l.add('out_of_range', 'too high');
    const list = l.list();
    expect(list.map((x) => [x.reason, x.count])).toEqual([
      ['unknown_station', 3],
      ['out_of_range', 1],
    ]);
    expect(list[0]!.detail).toBe('station x is not registered (and 2 more records of this message)');
    expect(list[0]!.digest).toMatch(/^[0-9a-f]{64}:unknown_station$/);
  });
  it('bounds device status time like readings', () => {
    const far = classifyMqtt('basin/v1/status/d1', Buffer.from(JSON.stringify({ v: 1, client: 'd1', state: 'online', ts: ctx.now + 86_400_000 })), false, ctx);
    expect(far.letters.map((l) => l.reason)).toEqual(['future_timestamp']);
    const ok = classifyMqtt('basin/v1/status/d1', Buffer.from(JSON.stringify({ v: 1, client: 'd1', state: 'online', ts: ctx.now })), false, ctx);
    expect(ok.statuses).toHaveLength(1);
  });
  it('notes the seqs of readings it dead-letters', () => {
    const c = classifyMqtt('basin/v1/readings/hydro/hankou', Buffer.from(JSON.stringify({ v: 1, readings: [{ metric: 'water_level', value: 9999, ts: ctx.now - 1000, seq: 4 }] })), false, ctx);
    expect(c.handled).toEqual([{ station: 'hankou', seq: 4 }]);
  });
  // A device following the commit protocol keeps a reading until its seq is confirmed: a reading
  // refused while decoding (before validation) must count as handled too, or it is resent forever.
  const ts = ctx.now - 1000;
  const batch = (readings: unknown[], extra: Record<string, unknown> = {}) => Buffer.from(JSON.stringify({ v: 1, ...extra, readings }));
  it.each([
    ['non-finite value', 'basin/v1/readings/hydro/hankou', batch([{ metric: 'water_level', value: null, ts, seq: 7 }]), 'non_finite_value', [{ station: 'hankou', seq: 7 }]],
    ['unknown metric', 'basin/v1/readings/hydro/hankou', batch([{ metric: 'bogus', value: 1, ts, seq: 8 }]), 'unknown_metric', [{ station: 'hankou', seq: 8 }]],
    ['invalid record (bad ts)', 'basin/v1/readings/hydro/hankou', batch([{ metric: 'water_level', value: 1, ts: 'yesterday', seq: 9 }]), 'invalid_payload', [{ station: 'hankou', seq: 9 }]],
    // confirmed to the topic's station (the publisher's own), never to the station it names
    ['station mismatch', 'basin/v1/readings/hydro/hankou', batch([{ station: 'shashi', metric: 'water_level', value: 20, ts, seq: 10 }]), 'station_mismatch', [{ station: 'hankou', seq: 10 }]],
    ['gateway reading, unknown metric', 'basin/v1/gateways/gw1/readings', batch([{ station: 'shashi', metric: 'bogus', value: 1, ts, seq: 11 }]), 'unknown_metric', [{ station: 'shashi', seq: 11 }]],
    ['gateway batch station', 'basin/v1/gateways/gw1/readings', batch([{ metric: 'water_level', value: null, ts, seq: 12 }], { station: 'yichang' }), 'non_finite_value', [{ station: 'yichang', seq: 12 }]],
    ['SenML unknown unit', 'basin/v1/readings/water/wq-zongguan', Buffer.from(JSON.stringify([{ n: 'conductivity', v: 1, u: 'furlong', t: ts / 1000, seq: 13 }])), 'unknown_unit', [{ station: 'wq-zongguan', seq: 13 }]],
    ['no seq: nothing to confirm', 'basin/v1/readings/hydro/hankou', batch([{ metric: 'bogus', value: 1, ts }]), 'unknown_metric', undefined],
    ['no station known: nothing to confirm', 'basin/v1/gateways/gw1/readings', batch([{ metric: 'water_level', value: 1, ts, seq: 14 }]), 'missing_station', undefined],
  ])('a reading refused while decoding counts as handled: %s', (_n, topic, payload, reason, handled) => {
    const c = classifyMqtt(topic, payload, false, ctx);
    expect(c.letters.map((l) => l.reason)).toEqual([reason]);
    expect(c.handled).toEqual(handled);
  });
});

describe('HJ 212', () => {
  it('resolves MNs by the configured map, then by the registry (explicit or derived MN)', () => {
    const mk = (id: string, mn: string | null = null) => Station.parse({ id, name: { zh: 'x', en: 'x' }, kind: 'water_quality', location: { lon: 114, lat: 30 }, metrics: ['ph'], jurisdiction: { admin: 'a', owner: 'o' }, mn });
    const longId = 'wq-a-very-long-synthetic-station-id-0042';
    const stations = new Map([mk('wq-one'), mk(longId), mk('wq-logger', 'LOGGER-7')].map((s) => [s.id, s]));
    const noDb = { query: () => Promise.reject(new Error('unused')), exec: () => Promise.reject(new Error('unused')) };
    const d = new Hj212Devices(noDb, new Map([['MN0001', 'wq-one']]), stations);
    expect(d.station('MN0001')).toBe('wq-one');
    expect(d.station('WQ-ONE')).toBe('wq-one');
    expect(d.station(deriveMn(longId))).toBe(longId);
    expect(d.station('LOGGER-7')).toBe('wq-logger');
    expect(d.station('NOPE')).toBeNull();
  });
  it.each([
    [[], true],
    [['stale_timestamp', 'out_of_range'], true],
    [['hj212_unknown_mn'], false],
    [['stale_timestamp', 'future_timestamp'], false],
    [['unknown_station'], false],
  ] as const)('reply after %j: %s', (reasons, want) => {
    expect(mayReply(reasons)).toBe(want);
  });
  it.each([
    ['##9999QN=1;CP=&&&&ABCD\r\n', 24],
    ['##0010QN=1;CP=&&', 0],
    ['##0008QN=1;CP=&&ABCD\r\n', 0],
    ['junk', 0],
  ])('bad length end of %j', (text, want) => {
    expect(badLengthEnd(Buffer.from(text))).toBe(want);
  });
});

describe('reading columns as PostgreSQL array literals', () => {
  it('quotes text (escaping quotes and backslashes), writes numbers as they round-trip, NULL seqs', () => {
    const rd = (station: string, metric: Reading['metric'], value: number, quality: Reading['quality'], seq: number | null): Reading => ({ station, metric, value, ts: 1767225600123, quality, seq });
    const c = readingColumns([rd('a"b\\c', 'ph', 0.1, 'pass', null), rd('a"b\\c', 'do', -2.5e-7, 'fail', Number.MAX_SAFE_INTEGER), rd('hankou', 'water_level', 27.43, 'not_evaluated', 7)]);
    expect(c.time).toBe('{1767225600123,1767225600123,1767225600123}');
    expect(c.station).toBe('{"a\\"b\\\\c","a\\"b\\\\c","hankou"}');
    expect(c.metric).toBe('{"ph","do","water_level"}');
    expect(c.value).toBe('{0.1,-2.5e-7,27.43}');
    expect(c.quality).toBe('{1,4,2}');
    expect(c.seq).toBe('{NULL,9007199254740991,7}');
  });
});
