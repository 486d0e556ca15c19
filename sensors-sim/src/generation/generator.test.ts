import { describe, expect, it } from 'vitest';
import { decodeReadingPayload, encodeReadingBatch, type Reading } from '@basin/schemas';
import { forEachRange } from '../meta-range.js';
import { parseScenario, resolveScenario, type Scenario } from '../scenario.js';
import { roundValue, SignalModel } from '../signals.js';
import { selectStations, type SimStation } from '../stations.js';
import { CONTROL, DROP, Generator, HOLD, HOSTILE, provision, SEND, type GeneratorConfig, type MessageKind, type Sink } from './generator.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 6, 1);
const stations = selectStations({ seed: 3, count: 12 });

interface Msg {
  kind: MessageKind;
  gateway: string;
  lane: number;
  topic: string;
  meta: string;
  count: number;
  retain: boolean;
  payload: string;
}

/** Collects what a generator emits (ticks ended as `end <t>` entries). */
function collector(): Sink & { out: (Msg | string)[] } {
  const out: (Msg | string)[] = [];
  return {
    out,
    put(kind, gateway, lane, topic, meta, count, retain, maxBytes, write) {
      const buf = Buffer.alloc(maxBytes);
      const end = write(buf, 0);
      expect(end).toBeLessThanOrEqual(maxBytes);
      out.push({ kind, gateway, lane, topic, meta, count, retain, payload: buf.toString('utf8', 0, end) });
    },
    tickEnd(t) {
      out.push(`end ${t}`);
    },
  };
}

function config(over: Partial<GeneratorConfig> = {}, sts: SimStation[] = stations): GeneratorConfig {
  const laneOfGateway = new Map<string, number>();
  sts.forEach((s, i) => laneOfGateway.has(s.gateway) || laneOfGateway.set(s.gateway, i % 3));
  return { scenario: resolveScenario('normal'), seed: 3, stations: sts, intervalMs: MIN, t0: T0, mode: 'station', format: 'json', allowHostile: false, laneOfStation: sts.map((_, i) => i % 3), laneOfGateway, ...over };
}

/** Run `ticks` ticks in slices of `budget` station-ticks. */
function run(c: GeneratorConfig, ticks: number, budget: number, seq: Record<string, number> = {}) {
  const sink = collector();
  const gen = new Generator(c, seq, () => 0);
  const pos = { tick: T0, cursor: 0 };
  while (pos.tick < T0 + ticks * c.intervalMs) gen.generate(pos, budget, T0 + (ticks - 1) * c.intervalMs, sink);
  return { out: sink.out, msgs: sink.out.filter((m): m is Msg => typeof m !== 'string'), pos };
}

const scenario = (doc: object): Scenario => parseScenario({ name: 't', title: 't', durationH: 24, ...doc });

describe('Generator', () => {
  it('station-mode JSON is what encodeReadingBatch gives for the model values, one message per medium group', () => {
    const { msgs } = run(config(), 2, 1000);
    const model = new SignalModel(resolveScenario('normal'), 3, T0, MIN);
    const want: string[] = [];
    const seq = new Map<string, number>();
    for (const t of [T0, T0 + MIN]) {
      for (const st of stations) {
        const v = model.sample(st, t);
        for (const g of st.groups) {
          const first = (seq.get(st.id) ?? 0) + 1;
          seq.set(st.id, first + g.idx.length - 1);
          const readings: Reading[] = g.idx.map((i, k) => ({ station: st.id, metric: st.metrics[i]!, value: roundValue(st.metrics[i]!, v[i]!), ts: t, quality: 'not_evaluated', seq: first + k }));
          want.push(encodeReadingBatch(readings, { station: st.id }));
        }
      }
    }
    expect(msgs.map((m) => m.payload)).toEqual(want);
    expect(msgs.every((m) => m.kind === SEND && !m.retain)).toBe(true);
  });

  it.each([1, 5, 12, 100])('the same messages whatever the slice size (%i station-ticks)', (budget) => {
    expect(run(config(), 3, budget).out).toEqual(run(config(), 3, 1000).out);
  });

  it('hands out sequence numbers without gaps per station, continuing from the given ones', () => {
    const { msgs } = run(config(), 3, 7, { [stations[0]!.id]: 41 });
    const last = new Map<string, number>([[stations[0]!.id, 41]]);
    for (const m of msgs) {
      forEachRange(m.meta, (id, first, end) => {
        expect(first).toBe((last.get(id) ?? 0) + 1);
        expect(end - first + 1).toBe(m.count);
        last.set(id, end);
      });
      const got = decodeReadingPayload(Buffer.from(m.payload), m.meta.split(':')[0]!).readings.map((r) => r.seq);
      expect(got).toEqual(Array.from({ length: m.count }, (_, k) => Number(m.meta.split(':')[1]) + k));
    }
  });

  it.each([
    { name: 'before the outage', hour: 0, kind: SEND },
    { name: 'during an outage with backfill', hour: 1, backfill: true, kind: HOLD },
    { name: 'during an outage without backfill', hour: 1, backfill: false, kind: DROP },
    { name: 'after the outage', hour: 2, kind: SEND },
  ])('a gateway\u2019s readings $name: $kind', ({ hour, backfill, kind }) => {
    const gw = stations[0]!.gateway;
    const sc = scenario({ gatewayOutages: [{ gateways: [gw], fromH: 1, toH: 2, backfill: backfill ?? true }] });
    const sink = collector();
    const gen = new Generator(config({ scenario: sc }), {}, () => 0);
    const t = T0 + hour * HOUR;
    gen.generate({ tick: t, cursor: 0 }, stations.length, t, sink);
    const msgs = sink.out.filter((m): m is Msg => typeof m !== 'string');
    expect(new Set(msgs.filter((m) => m.gateway === gw).map((m) => m.kind))).toEqual(new Set([kind]));
    expect(new Set(msgs.filter((m) => m.gateway !== gw).map((m) => m.kind))).toEqual(new Set([SEND]));
    expect(sink.out[sink.out.length - 1]).toBe(`end ${t}`);
  });

  it('gateway mode: one batch per gateway per tick, after the last station, carrying every station\u2019s ranges', () => {
    const { out } = run(config({ mode: 'gateway' }), 1, 5);
    const batches = out.slice(0, -1) as Msg[];
    expect(out[out.length - 1]).toBe(`end ${T0}`);
    expect(batches.map((b) => b.gateway).sort()).toEqual([...new Set(stations.map((s) => s.gateway))].sort());
    for (const b of batches) {
      const decoded = decodeReadingPayload(Buffer.from(b.payload), null).readings;
      const mine = stations.filter((s) => s.gateway === b.gateway);
      expect(decoded).toHaveLength(mine.reduce((a, s) => a + s.metrics.length, 0));
      expect(b.count).toBe(decoded.length);
      const ranges: string[] = [];
      forEachRange(b.meta, (id) => ranges.push(id));
      expect(new Set(ranges)).toEqual(new Set(mine.map((s) => s.id)));
    }
  });

  it('faults: dropouts are dropped (count 1, no seq), a dead battery reports offline once, then nothing', () => {
    const id = stations[0]!.id;
    const sc = scenario({
      faults: [
        { type: 'dropouts', stations: [stations[1]!.id], probability: 1 },
        { type: 'battery_death', stations: [id], atH: 1, drainFromH: 0 },
      ],
    });
    const sink = collector();
    const gen = new Generator(config({ scenario: sc, intervalMs: 30 * MIN }), {}, () => 1234);
    gen.generate({ tick: T0, cursor: 0 }, 1000, T0 + 2 * HOUR, sink);
    const msgs = sink.out.filter((m): m is Msg => typeof m !== 'string');
    const drops = msgs.filter((m) => m.kind === DROP);
    expect(drops).toHaveLength(5);
    expect(drops.every((d) => d.count === 1 && d.meta === '')).toBe(true);
    const status = msgs.filter((m) => m.kind === CONTROL).map((m) => JSON.parse(m.payload) as { state: string; battery: number; ts: number });
    expect(status.map((s) => [s.state, s.battery])).toEqual([
      ['online', 100],
      ['offline', 0],
    ]);
    expect(status[0]!.ts).toBe(1234);
    expect(msgs.filter((m) => m.kind === SEND && m.meta.startsWith(`${id}:`)).length).toBe(2 * stations[0]!.groups.length);
  });

  it('hostile payloads only when allowed, at the scenario\u2019s rate', () => {
    const sc = scenario({ hostile: { kinds: ['not_json', 'wrong_version'], perHour: 60 } });
    expect(run(config({ scenario: sc }), 10, 1000).msgs.filter((m) => m.kind === HOSTILE)).toHaveLength(0);
    const hostile = run(config({ scenario: sc, allowHostile: true }), 10, 1000).msgs.filter((m) => m.kind === HOSTILE);
    expect(hostile).toHaveLength(10);
    expect(hostile.every((m) => m.meta === '' && m.count === 0)).toBe(true);
  });

  it('provisions a retained registry document for synthetic stations only', () => {
    const sts = selectStations({ seed: 3, count: 400 });
    const sink = collector();
    provision(config({}, sts), sink);
    const msgs = sink.out as Msg[];
    expect(msgs.length).toBe(sts.filter((s) => s.station.synthetic).length);
    expect(msgs.every((m) => m.kind === CONTROL && m.retain && m.topic.endsWith(`/${(JSON.parse(m.payload) as { id: string }).id}`))).toBe(true);
  });
});
