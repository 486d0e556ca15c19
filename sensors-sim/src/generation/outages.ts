import { hash32, hashUnit } from '../random.js';
import type { Scenario } from '../scenario.js';
import type { SimStation } from '../stations.js';

const HOUR = 3_600_000;

/** A gateway outage resolved to gateways and absolute times [from, to). */
export interface OutageWindow {
  gateways: Set<string>;
  from: number;
  to: number;
  /** The gateways store their readings and hand them over afterwards (else they are lost). */
  backfill: boolean;
}

/**
 * Resolve a scenario's gateway outages (pure, deterministic from the seed): named gateways, the
 * gateways of named stations, and a seeded fraction of the selected stations' gateways.
 */
export function compileOutages(scenario: Scenario, stations: readonly SimStation[], seed: number, t0: number): OutageWindow[] {
  return scenario.gatewayOutages.map((g) => {
    const gateways = new Set(g.gateways ?? []);
    for (const s of stations) {
      if (g.stations?.includes(s.id)) gateways.add(s.gateway);
      if (g.fraction !== undefined && hashUnit(seed, hash32(s.gateway), 0x0a7) < g.fraction) gateways.add(s.gateway);
    }
    return { gateways, from: t0 + g.fromH * HOUR, to: t0 + g.toH * HOUR, backfill: g.backfill };
  });
}

/** The outage `gateway` is in at `t`, or null. */
export function outageAt(windows: readonly OutageWindow[], gateway: string, t: number): OutageWindow | null {
  for (const w of windows) if (w.gateways.has(gateway) && t >= w.from && t < w.to) return w;
  return null;
}
