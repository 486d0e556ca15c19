import { describe, expect, it } from 'vitest';
import { parseTopic, sharedFilter, topics, CommittedAck } from './topics.js';

describe('topic layout', () => {
  it('builds and parses station, gateway, status and registry topics', () => {
    expect(parseTopic(topics.stationReadings('hydro', 'hankou'))).toEqual({ kind: 'station_readings', medium: 'hydro', station: 'hankou' });
    expect(parseTopic(topics.gatewayReadings('gw-01'))).toEqual({ kind: 'gateway_readings', gateway: 'gw-01' });
    expect(parseTopic(topics.status('sim-1'))).toEqual({ kind: 'status', client: 'sim-1' });
    expect(parseTopic(topics.registry('syn-00001'))).toEqual({ kind: 'registry', station: 'syn-00001' });
    expect(parseTopic(topics.committed('hankou'))).toEqual({ kind: 'committed', station: 'hankou' });
    expect(CommittedAck.parse({ v: 1, station: 'hankou', seqs: [[1, 5], [7, 7]], ts: 1 }).seqs).toHaveLength(2);
    expect(CommittedAck.safeParse({ v: 1, station: 'hankou', seqs: [], ts: 1 }).success).toBe(false);
  });

  it.each([
    ['outside the root', 'other/v1/readings/hydro/hankou'],
    ['unknown medium', 'basin/v1/readings/lava/hankou'],
    ['upper-case station', 'basin/v1/readings/hydro/Hankou'],
    ['too many levels', 'basin/v1/readings/hydro/hankou/extra'],
    ['too few levels', 'basin/v1/readings/hydro'],
    ['gateway without suffix', 'basin/v1/gateways/gw-01'],
    ['unknown kind', 'basin/v1/commands/x'],
    ['empty', ''],
    ['wildcard', 'basin/v1/readings/+/+'],
  ])('rejects a topic %s', (_label, topic) => {
    expect(parseTopic(topic)).toBeNull();
  });

  it.each([
    ['station with a slash', () => topics.stationReadings('hydro', 'a/b')],
    ['station with a wildcard', () => topics.stationReadings('hydro', '#')],
    ['gateway with a space', () => topics.gatewayReadings('gw 1')],
  ])('refuses to build a topic with a %s', (_label, build) => {
    expect(build).toThrow(/invalid/);
  });

  it('forms shared-subscription filters', () => {
    expect(sharedFilter('ingest', 'basin/v1/readings/+/+')).toBe('$share/ingest/basin/v1/readings/+/+');
  });
});
