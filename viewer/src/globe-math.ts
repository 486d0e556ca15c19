import type { Preset } from './presets';

/** Camera position that looks at a preset's centre from its height and pitch (heading north). */
export function presetDestination(p: Pick<Preset, 'lon' | 'lat' | 'height' | 'pitch'>): { lon: number; lat: number; height: number } {
  const back = p.height / Math.tan(Math.abs(p.pitch) * (Math.PI / 180));
  return { lon: p.lon, lat: p.lat - back / 111_320, height: p.height };
}
