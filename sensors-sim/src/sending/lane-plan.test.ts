import { describe, expect, it } from 'vitest';
import { selectStations } from '../stations.js';
import { planLanes } from './lane-plan.js';

const stations = selectStations({ seed: 3, count: 30 });
const gateways = [...new Set(stations.map((s) => s.gateway))];

describe('planLanes', () => {
  it.each([
    { name: 'one simulator connection', mode: 'station', connections: 1, lanes: 1, ids: ['sim'], confirmAll: true },
    { name: 'three simulator connections', mode: 'station', connections: 3, lanes: 3, ids: ['sim-0', 'sim-1', 'sim-2'], confirmAll: false },
    { name: 'more connections than stations', mode: 'station', connections: 500, lanes: 30, ids: null, confirmAll: false },
    { name: 'one per station', mode: 'station', connections: 'per-station', lanes: 30, ids: stations.map((s) => s.id), confirmAll: false },
    { name: 'one per gateway', mode: 'gateway', connections: 4, lanes: gateways.length, ids: gateways.map((g) => `sim-${g}`), confirmAll: false },
    { name: 'HJ 212: one TCP connection', mode: 'hj212', connections: 4, lanes: 1, ids: ['sim'], confirmAll: true },
  ] as const)('$name', ({ mode, connections, lanes, ids, confirmAll }) => {
    const plan = planLanes(mode, stations, connections, 'sim');
    expect(plan.lanes).toHaveLength(lanes);
    if (ids) expect(plan.lanes.map((l) => l.clientId)).toEqual(ids);
    expect(plan.laneOfStation).toHaveLength(stations.length);
    // Every station's lane reads that station's confirmations (its own ACL allows no others).
    stations.forEach((s, i) => {
      const lane = plan.lanes[plan.laneOfStation[i]!]!;
      expect(lane.confirmFor === undefined || lane.confirmFor.includes(s.id)).toBe(true);
      expect(plan.laneOfGateway.get(s.gateway)).toBeDefined();
    });
    expect(plan.lanes.every((l) => l.confirmFor === undefined)).toBe(confirmAll);
  });

  it('gateway mode: a gateway lane carries exactly its stations, with a gateway birth document', () => {
    const plan = planLanes('gateway', stations, 1, 'sim');
    for (const gw of gateways) {
      const lane = plan.lanes[plan.laneOfGateway.get(gw)!]!;
      const mine = stations.filter((s) => s.gateway === gw).map((s) => s.id);
      expect(lane.status).toEqual({ kind: 'gateway', stations: mine });
      expect(lane.confirmFor).toEqual(mine);
    }
  });

  it('simulator lanes share the stations round-robin', () => {
    const plan = planLanes('station', stations, 4, 'sim');
    expect(plan.laneOfStation.slice(0, 6)).toEqual([0, 1, 2, 3, 0, 1]);
    expect(plan.lanes[1]!.confirmFor).toEqual(stations.filter((_, i) => i % 4 === 1).map((s) => s.id));
  });
});
