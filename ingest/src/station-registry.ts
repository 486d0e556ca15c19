import { BASIN_STATIONS, STATION_BY_ID, type Station } from '@basin/schemas';
import { loadStations, upsertStations, type Db } from '@basin/platform';
import { registryCanonical, type ProvisionedStation } from './registry.js';
import { loadStationVersions, type RegistryChange } from './store.js';

/**
 * The stations ingest validates against: the sourced catalogue (restored at every start), the
 * provisioned stations in the database, and the newest accepted version of each provisioned one.
 * Several ingest workers each keep their own copy; the database keeps every version.
 */
export class StationRegistry {
  private constructor(
    readonly stations: Map<string, Station>,
    private readonly provisionedById: Map<string, ProvisionedStation>,
  ) {}

  static async load(db: Db): Promise<StationRegistry> {
    await upsertStations(db, BASIN_STATIONS);
    const stations = new Map((await loadStations(db)).map((s) => [s.id, s]));
    const versions = await loadStationVersions(db);
    const provisioned = new Map<string, ProvisionedStation>();
    for (const [id, s] of stations) {
      if (!STATION_BY_ID.has(id)) provisioned.set(id, { version: versions.get(id)?.version ?? 0, canonical: registryCanonical(s) });
    }
    return new StationRegistry(stations, provisioned);
  }

  provisioned(id: string): ProvisionedStation | undefined {
    return this.provisionedById.get(id);
  }

  /** Apply accepted registry documents (before their commit: later messages see them). */
  apply(changes: readonly RegistryChange[]): void {
    for (const c of changes) {
      this.stations.set(c.station.id, c.station);
      this.provisionedById.set(c.station.id, { version: c.version, canonical: registryCanonical(c.station) });
    }
  }
}
