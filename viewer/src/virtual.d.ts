/** schemas/data/yangtze-basin GeoJSON, bundled at build time by the basin-geo plugin (vite.config.ts). */
declare module 'virtual:basin-geo' {
  export const rivers: unknown;
  export const lakes: unknown;
  export const places: unknown;
  /** Hubei's prefecture-level divisions (hubei-prefectures.geojson). */
  export const prefectures: unknown;
  /** Hubei's county-level divisions (hubei-counties.geojson). */
  export const counties: unknown;
}
