/**
 * Cesium loads its Workers and Assets (including the bundled Natural Earth II imagery) from
 * CESIUM_BASE_URL; vite copies them to ./cesium/ beside the build (vite.config.ts). Imported first
 * by every entry point, before any Cesium object is created.
 */
(window as unknown as { CESIUM_BASE_URL: string }).CESIUM_BASE_URL = new URL('cesium/', document.baseURI).href;
export {};
