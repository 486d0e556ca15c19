import { mnOf, type Station } from '@basin/schemas';
import type { Queryable } from './db.js';

/** Upsert stations into the registry (one statement per 500 stations). */
export async function upsertStations(db: Queryable, stations: readonly Station[]): Promise<number> {
  for (let i = 0; i < stations.length; i += 500) {
    const chunk = stations.slice(i, i + 500);
    await db.query(
      `INSERT INTO stations (id, name_zh, name_en, kind, lon, lat, elevation, approximate, river, river_km, lake, metrics, jurisdiction, levels, synthetic, source, reference_levels, bank, mn)
       SELECT s->>'id', s->'name'->>'zh', s->'name'->>'en', s->>'kind', (s->'location'->>'lon')::float8, (s->'location'->>'lat')::float8,
              (s->'location'->>'elevation')::float8, (s->'location'->>'approximate')::boolean, s->>'river', (s->>'riverKm')::float8, s->>'lake',
              ARRAY(SELECT jsonb_array_elements_text(s->'metrics')), s->'jurisdiction', NULLIF(s->'levels', 'null'::jsonb),
              (s->>'synthetic')::boolean, s->>'source', NULLIF(s->'referenceLevels', 'null'::jsonb), s->>'bank', s->>'mn'
       FROM jsonb_array_elements($1::jsonb) AS s
       ON CONFLICT (id) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, kind = EXCLUDED.kind,
         lon = EXCLUDED.lon, lat = EXCLUDED.lat, elevation = EXCLUDED.elevation, approximate = EXCLUDED.approximate,
         river = EXCLUDED.river, river_km = EXCLUDED.river_km, lake = EXCLUDED.lake, metrics = EXCLUDED.metrics,
         jurisdiction = EXCLUDED.jurisdiction, levels = EXCLUDED.levels, synthetic = EXCLUDED.synthetic,
         source = EXCLUDED.source, reference_levels = EXCLUDED.reference_levels, bank = EXCLUDED.bank, mn = EXCLUDED.mn,
         updated_at = now()`,
      // the MN is stored resolved (explicit or derived), so ingest resolves it from the registry
      [JSON.stringify(chunk.map((s) => ({ ...s, mn: mnOf(s) })))],
    );
  }
  return stations.length;
}

interface StationRow {
  id: string;
  name_zh: string;
  name_en: string;
  kind: Station['kind'];
  lon: number;
  lat: number;
  elevation: number | null;
  approximate: boolean;
  river: string | null;
  river_km: number | null;
  lake: string | null;
  metrics: Station['metrics'];
  jurisdiction: Station['jurisdiction'];
  levels: Station['levels'];
  synthetic: boolean;
  source: string | null;
  reference_levels: Station['referenceLevels'];
  bank: Station['bank'];
  mn: string | null;
}

export async function loadStations(db: Queryable): Promise<Station[]> {
  const r = await db.query<StationRow>(
    `SELECT id, name_zh, name_en, kind, lon, lat, elevation, approximate, river, river_km, lake, metrics, jurisdiction, levels, synthetic, source, reference_levels, bank, mn
     FROM stations ORDER BY id`,
  );
  return r.rows.map((s) => ({
    id: s.id,
    name: { zh: s.name_zh, en: s.name_en },
    kind: s.kind,
    location: { lon: s.lon, lat: s.lat, elevation: s.elevation, approximate: s.approximate },
    river: s.river,
    riverKm: s.river_km,
    lake: s.lake,
    metrics: s.metrics,
    jurisdiction: s.jurisdiction,
    levels: s.levels,
    synthetic: s.synthetic,
    source: s.source,
    referenceLevels: s.reference_levels,
    bank: s.bank,
    mn: s.mn,
  }));
}
