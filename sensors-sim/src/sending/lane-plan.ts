import type { DeviceStatus } from '@basin/schemas';
import type { PublishMode } from '../generation/generator.js';
import type { SimStation } from '../stations.js';

/** One connection to open. */
export interface LaneSpec {
  clientId: string;
  /** Birth / will document (DeviceStatus without state and ts). */
  status: Omit<DeviceStatus, 'v' | 'state' | 'ts' | 'client'>;
  /** Stations whose commit confirmations this lane reads; undefined = every station (one wildcard). */
  confirmFor: string[] | undefined;
}

export interface LanePlan {
  lanes: LaneSpec[];
  /** Lane of every station, by its index in the station list. */
  laneOfStation: number[];
  laneOfGateway: Map<string, number>;
}

/**
 * Which connections the simulator opens and which one carries each station's and gateway's
 * messages (pure). Gateway mode: one per gateway (client id `<clientId>-<gateway>`); station mode
 * with 'per-station': one per station (client id = station id); otherwise `connections` simulator
 * lanes sharing the stations round-robin (HJ 212: one). A gateway's or station's credentials may
 * read only its own stations' confirmations (ACL), so such lanes subscribe to those alone.
 */
export function planLanes(mode: PublishMode, stations: readonly SimStation[], connections: number | 'per-station', clientId: string): LanePlan {
  const lanes: LaneSpec[] = [];
  const laneOfGateway = new Map<string, number>();
  const add = (spec: LaneSpec) => lanes.push(spec) - 1;
  if (mode === 'gateway') {
    const byGw = new Map<string, string[]>();
    for (const s of stations) {
      const ids = byGw.get(s.gateway);
      if (ids) ids.push(s.id);
      else byGw.set(s.gateway, [s.id]);
    }
    for (const [gw, ids] of byGw) laneOfGateway.set(gw, add({ clientId: `${clientId}-${gw}`, status: { kind: 'gateway', stations: ids }, confirmFor: ids }));
    return { lanes, laneOfStation: stations.map((s) => laneOfGateway.get(s.gateway)!), laneOfGateway };
  }
  if (mode === 'station' && connections === 'per-station') {
    const laneOfStation = stations.map((s) => add({ clientId: s.id, status: { kind: 'station', stations: [s.id] }, confirmFor: [s.id] }));
    stations.forEach((s, i) => laneOfGateway.has(s.gateway) || laneOfGateway.set(s.gateway, laneOfStation[i]!));
    return { lanes, laneOfStation, laneOfGateway };
  }
  const n = mode === 'hj212' ? 1 : Math.max(1, Math.min(connections as number, stations.length || 1));
  for (let i = 0; i < n; i++) {
    const own = n === 1 ? undefined : stations.filter((_, k) => k % n === i).map((s) => s.id);
    add({ clientId: n === 1 ? clientId : `${clientId}-${i}`, status: { kind: 'simulator', stations: undefined }, confirmFor: own });
  }
  const laneOfStation = stations.map((_, i) => i % n);
  stations.forEach((s, i) => laneOfGateway.has(s.gateway) || laneOfGateway.set(s.gateway, laneOfStation[i]!));
  return { lanes, laneOfStation, laneOfGateway };
}
