import * as geo from 'virtual:basin-geo';

/** The basin's Natural Earth rivers, lakes and places and Hubei's boundaries from schemas/data, bundled at build time. */
export type Pos = [number, number];
interface Feature<G> {
  properties: Record<string, unknown>;
  geometry: G;
}
type Line = { type: 'LineString'; coordinates: Pos[] } | { type: 'MultiLineString'; coordinates: Pos[][] };
export type Area = { type: 'Polygon'; coordinates: Pos[][] } | { type: 'MultiPolygon'; coordinates: Pos[][][] };
const features = <G>(fc: unknown) => (fc as { features: Feature<G>[] }).features;

export const RIVERS = features<Line>(geo.rivers);
export const LAKES = features<Area>(geo.lakes);
export const PLACES = features<{ type: 'Point'; coordinates: Pos }>(geo.places);
/** Hubei's prefecture-level (地级) and county-level (县级) divisions: `code` (GB/T 2260), `name`. */
export const PREFECTURES = features<Area>(geo.prefectures);
export const COUNTIES = features<Area>(geo.counties);
