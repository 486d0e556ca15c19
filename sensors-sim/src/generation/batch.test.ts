import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario.js';
import { selectStations } from '../stations.js';
import { BatchSink, Replayer } from './batch.js';
import { Generator, type GeneratorConfig, type Sink } from './generator.js';

const T0 = Date.UTC(2026, 6, 1);
const MIN = 60_000;

/** Every put and tickEnd as a line (payload as text). */
function recorder(): Sink & { out: string[] } {
  const out: string[] = [];
  return {
    out,
    put(kind, gateway, lane, topic, meta, count, retain, maxBytes, write) {
      const buf = Buffer.alloc(maxBytes + 8);
      const end = write(buf, 4);
      out.push(JSON.stringify([kind, gateway, lane, topic, meta, count, retain, buf.toString('utf8', 4, end)]));
    },
    tickEnd: (t) => out.push(`end ${t}`),
  };
}

function config(mode: GeneratorConfig['mode']): GeneratorConfig {
  const stations = selectStations({ seed: 2, count: 40 });
  const scenario = parseScenario({
    name: 't',
    title: 't',
    durationH: 24,
    gatewayOutages: [{ gateways: [stations[0]!.gateway], fromH: 0, toH: 0.05 }],
    faults: [{ type: 'battery_death', stations: [stations[1]!.id], atH: 0.04, drainFromH: 0 }],
    hostile: { kinds: ['not_json', 'not_utf8'], perHour: 120 },
  });
  return { scenario, seed: 2, stations, intervalMs: MIN, t0: T0, mode, format: 'json', hj212: { pw: '123456', awaitAnswer: false }, allowHostile: true, laneOfStation: stations.map((_, i) => i % 2), laneOfGateway: new Map(stations.map((s) => [s.gateway, 0])) };
}

describe('batches', () => {
  it.each(['station', 'gateway', 'hj212'] as const)('%s mode: replaying the batches gives exactly what the generator emitted', (mode) => {
    const direct = recorder();
    const a = { tick: T0, cursor: 0 };
    new Generator(config(mode), {}, () => 5).generate(a, 40 * 6, T0 + 5 * MIN, direct);

    const replayed = recorder();
    const gen = new Generator(config(mode), {}, () => 5);
    const sink = new BatchSink(64); // small: the buffer grows several times
    const b = { tick: T0, cursor: 0 };
    const positions: string[] = [];
    const replayer = new Replayer(replayed);
    while (b.tick <= T0 + 5 * MIN) {
      gen.generate(b, 17, T0 + 5 * MIN, sink);
      const batch = sink.take(b);
      positions.push(`${batch.pos.tick}/${batch.pos.cursor}`);
      replayer.replay(structuredClone(batch));
    }
    expect(replayed.out).toEqual(direct.out);
    expect(replayed.out.length).toBeGreaterThan(40);
    expect(positions[positions.length - 1]).toBe(`${T0 + 6 * MIN}/0`);
    expect(new Set(positions).size).toBe(positions.length);
  });
});
