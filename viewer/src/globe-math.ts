import type { Preset } from './presets';

/** Camera position that looks at a preset's centre from its height and pitch (heading north). */
export function presetDestination(p: Pick<Preset, 'lon' | 'lat' | 'height' | 'pitch'>): { lon: number; lat: number; height: number } {
  const back = p.height / Math.tan(Math.abs(p.pitch) * (Math.PI / 180));
  return { lon: p.lon, lat: p.lat - back / 111_320, height: p.height };
}

/**
 * How much the globe's symbols, labels and lines grow on a wall: they are sized for a 1920-pixel
 * wide screen and grow with the width beyond it, as the wall's HTML does (style.css: `body.wall`
 * font-size 100vw / 120) — on a 3840×2160 wall at device pixel ratio 1 they would otherwise be
 * half the size of the panes around them. At a desk, Cesium's own pixel ratio handles high-DPI.
 */
export function wallScale(wall: boolean, widthCssPx: number): number {
  return wall ? Math.max(1, widthCssPx / 1920) : 1;
}
