/**
 * HJ 212 监测点编码 (MN) ↔ station: the one rule shared by the simulator (which writes MN) and the
 * ingest gateway (which resolves it). A station's MN is its explicit `mn` when set (a real data
 * logger's code), otherwise derived from the id: the upper-cased id when it fits the standard's
 * 24 characters, else its first 15 characters, `~` and an 8-hex-digit FNV-1a hash of the whole id
 * (24 characters). `~` never occurs in a station id, so a derived long MN cannot collide with a
 * short one; the reverse direction is a lookup table built from the station registry
 * ({@link MnIndex}), so hashed MNs resolve too.
 */

/** Longest MN the standard allows. */
export const HJ212_MN_MAX = 24;

/** FNV-1a 32-bit hash of a string's UTF-16 code units. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The MN derived from a station id (deterministic; see the module comment). */
export function deriveMn(id: string): string {
  const up = id.toUpperCase();
  if (up.length <= HJ212_MN_MAX) return up;
  return `${up.slice(0, 15)}~${fnv1a32(id).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** The MN a station's logger uses: its explicit `mn`, else derived from its id. */
export function mnOf(station: { id: string; mn?: string | null }): string {
  return station.mn ?? deriveMn(station.id);
}

/** MN → station id lookup over a station registry; reports MNs claimed by two stations. */
export class MnIndex {
  private readonly byMn = new Map<string, string>();
  /** MNs that more than one station maps to (the first station keeps the MN). */
  readonly conflicts: { mn: string; stations: string[] }[] = [];

  constructor(stations: Iterable<{ id: string; mn?: string | null }>) {
    const clash = new Map<string, string[]>();
    for (const s of stations) {
      const mn = mnOf(s).toUpperCase();
      const have = this.byMn.get(mn);
      if (have === undefined) this.byMn.set(mn, s.id);
      else if (have !== s.id) clash.set(mn, [...(clash.get(mn) ?? [have]), s.id]);
    }
    for (const [mn, ids] of clash) this.conflicts.push({ mn, stations: ids });
  }

  get size(): number {
    return this.byMn.size;
  }

  /** Station id of an MN (letters compared case-insensitively), or null when unknown. */
  stationOf(mn: string): string | null {
    return this.byMn.get(mn.toUpperCase()) ?? null;
  }
}
