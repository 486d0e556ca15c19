import { METRICS, type LatestReading } from '@basin/schemas';

/** Escape text for insertion into HTML. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A reading's value at its metric's display precision, with its unit. */
export function formatValue(r: Pick<LatestReading, 'metric' | 'value'>): { text: string; unit: string } {
  const m = METRICS[r.metric];
  return { text: r.value.toFixed(m.precision), unit: m.unit };
}

/** Group readings by station, keeping metric order stable. */
export function byStation(latest: readonly LatestReading[]): Map<string, LatestReading[]> {
  const out = new Map<string, LatestReading[]>();
  for (const r of latest) {
    const list = out.get(r.station);
    if (list) list.push(r);
    else out.set(r.station, [r]);
  }
  return out;
}
