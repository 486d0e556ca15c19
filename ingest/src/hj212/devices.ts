import { MnIndex, type Station } from '@basin/schemas';
import type { Queryable } from '@basin/platform';
import type { Hj212Resolver } from './decode.js';

/**
 * HJ 212 loggers known to ingest: the hj212_devices table (MN -> station, password), reloaded
 * periodically, then INGEST_HJ212_MN_MAP, then the station registry's MNs (a station's explicit
 * `mn`, else the one derived from its id: schemas' mnOf(), the rule the simulator writes by).
 */
export class Hj212Devices {
  private devices = new Map<string, { station: string; password: string | null; units: Record<string, string> | null }>();
  private timer: NodeJS.Timeout | null = null;
  private index: MnIndex | null = null;
  private indexedSize = -1;

  constructor(
    private readonly db: Queryable,
    private readonly mnMap: ReadonlyMap<string, string>,
    private readonly stations: ReadonlyMap<string, Station>,
  ) {}

  async load(): Promise<void> {
    // units: per-device unit overrides of factors ({"w01014": "mS/cm"}), migration 005
    const r = await this.db.query<{ mn: string; station: string; password: string | null; units: Record<string, string> | null }>(
      'SELECT mn, station, password, units FROM hj212_devices',
    );
    this.devices = new Map(r.rows.map((d) => [d.mn, { station: d.station, password: d.password, units: d.units }]));
    this.index = null; // rebuilt from the registry on the next lookup
  }

  /** Reload every `ms` (a failed reload keeps the previous table). */
  startReloading(ms: number): void {
    this.timer = setInterval(() => void this.load().catch(() => undefined), ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  station(mn: string): string | null {
    const known = this.devices.get(mn)?.station ?? this.mnMap.get(mn);
    if (known) return known;
    // Rebuilt when stations were provisioned since (and with every reload of the device table).
    if (!this.index || this.indexedSize !== this.stations.size) {
      this.index = new MnIndex(this.stations.values());
      this.indexedSize = this.stations.size;
    }
    return this.index.stationOf(mn);
  }

  resolver(tzOffsetMin: number, maxSegment?: number): Hj212Resolver {
    return {
      tzOffsetMin,
      maxSegment,
      unit: (mn, code) => this.devices.get(mn)?.units?.[code],
      station: (mn) => this.station(mn),
      password: (mn) => this.devices.get(mn)?.password ?? null,
    };
  }
}
