import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario.js';
import { selectStations } from '../stations.js';
import { compileOutages, outageAt } from './outages.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 6, 1);
const stations = selectStations({ seed: 3, count: 200 });
const gateways = [...new Set(stations.map((s) => s.gateway))];

const windows = (outages: object[]) => compileOutages(parseScenario({ name: 't', title: 't', durationH: 24, gatewayOutages: outages }), stations, 3, T0);

describe('gateway outages', () => {
  it.each([
    { name: 'named gateway', outage: { gateways: ['gw-x'], fromH: 1, toH: 2 }, want: ['gw-x'] },
    { name: 'gateway of a named station', outage: { stations: [stations[5]!.id], fromH: 1, toH: 2 }, want: [stations[5]!.gateway] },
    { name: 'no gateway', outage: { fraction: 0, fromH: 1, toH: 2 }, want: [] },
    { name: 'every gateway', outage: { fraction: 1, fromH: 1, toH: 2 }, want: gateways },
  ])('resolves the $name', ({ outage, want }) => {
    expect([...windows([outage])[0]!.gateways].sort()).toEqual([...want].sort());
  });

  it('a seeded fraction picks about that share of the gateways, the same every time', () => {
    const a = windows([{ fraction: 0.5, fromH: 0, toH: 1 }])[0]!.gateways;
    expect(a.size).toBeGreaterThan(gateways.length * 0.2);
    expect(a.size).toBeLessThan(gateways.length * 0.8);
    expect(windows([{ fraction: 0.5, fromH: 0, toH: 1 }])[0]!.gateways).toEqual(a);
  });

  it.each([
    { at: 0.99, gw: 'gw-x', want: null },
    { at: 1, gw: 'gw-x', want: 0 },
    { at: 1.5, gw: 'gw-y', want: null },
    { at: 1.99, gw: 'gw-x', want: 0 },
    { at: 2, gw: 'gw-x', want: null },
    { at: 3, gw: 'gw-x', want: 1 },
  ])('at hour $at, $gw is in outage $want (from inclusive, to exclusive)', ({ at, gw, want }) => {
    const w = windows([
      { gateways: ['gw-x'], fromH: 1, toH: 2 },
      { gateways: ['gw-x'], fromH: 3, toH: 4, backfill: false },
    ]);
    expect(outageAt(w, gw, T0 + at * HOUR)).toBe(want === null ? null : w[want]);
  });
});
