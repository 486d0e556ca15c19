import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { viteStaticCopy } from 'vite-plugin-static-copy';

/**
 * Cesium needs its Workers, Assets (incl. the bundled Natural Earth II imagery), ThirdParty and
 * Widgets at run time under CESIUM_BASE_URL (set in src/cesium-base.ts to ./cesium/): copied as
 * they are, so the built viewer needs no network at all.
 */
const cesiumBuild = path.join(path.dirname(createRequire(import.meta.url).resolve('cesium/package.json')), 'Build/Cesium');
const cesiumDirs = ['Workers', 'Assets', 'ThirdParty', 'Widgets'];

/**
 * The basin's layers from the repository (schemas/data/yangtze-basin: Natural Earth rivers, lakes
 * and places; Hubei's prefecture and county boundaries), bundled at build time as the virtual module
 * `virtual:basin-geo` (types in src/virtual.d.ts).
 */
function basinGeo(): Plugin {
  const id = 'virtual:basin-geo';
  const dir = path.resolve(import.meta.dirname, '../schemas/data/yangtze-basin');
  return {
    name: 'basin-geo',
    resolveId: (s) => (s === id ? `\0${id}` : null),
    load(s) {
      if (s !== `\0${id}`) return null;
      const read = (f: string) => {
        this.addWatchFile(path.join(dir, f));
        return readFileSync(path.join(dir, f), 'utf8');
      };
      const files = { rivers: 'rivers', lakes: 'lakes', places: 'places', prefectures: 'hubei-prefectures', counties: 'hubei-counties' };
      return Object.entries(files).map(([n, f]) => `export const ${n} = JSON.parse(${JSON.stringify(read(`${f}.geojson`))});`).join('\n');
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [
    basinGeo(),
    viteStaticCopy({
      targets: cesiumDirs.map((d) => ({ src: path.join(cesiumBuild, d).replaceAll('\\', '/'), dest: 'cesium' })),
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 6000, // the Cesium chunk is ~4 MB; it is served from the same host
    rolldownOptions: {
      input: { main: path.resolve(import.meta.dirname, 'index.html'), bench: path.resolve(import.meta.dirname, 'bench.html') },
      output: {
        // Cesium in its own chunk: cached across viewer releases.
        codeSplitting: { groups: [{ name: 'cesium', test: /node_modules[\\/](cesium|@cesium)/ }] },
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:8080' } },
});
