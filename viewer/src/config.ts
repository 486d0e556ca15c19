import { z } from 'zod';

/**
 * Viewer settings: `viewer-config.json` beside the built viewer (edited by the site, optional) and
 * URL parameters for one screen (`?wall=1&lang=en&light=1&tour=0`). Everything has a default that
 * works with no network.
 */
export const TileService = z.object({
  /** `xyz`: a URL template with {z}/{x}/{y}; `wmts`: a WMTS endpoint with layer and tileMatrixSet. */
  type: z.enum(['xyz', 'wmts']),
  url: z.string().min(1),
  layer: z.string().optional(),
  style: z.string().default('default'),
  tileMatrixSetID: z.string().optional(),
  format: z.string().default('image/png'),
  maximumLevel: z.number().int().min(0).max(22).default(18),
  credit: z.string().default(''),
});
export type TileService = z.infer<typeof TileService>;

export const ViewerConfig = z.object({
  /** A detail imagery service over the bundled Natural Earth II base (Tianditu, in-house tiles); none by default. */
  tiles: TileService.nullable().default(null),
  /** Seconds per camera preset in the automatic tour. */
  tourSeconds: z.number().min(5).max(600).default(20),
  /** Poll interval when the live stream is not available, seconds. */
  pollSeconds: z.number().min(1).max(300).default(2),
});
export type ViewerConfig = z.infer<typeof ViewerConfig>;

export interface ScreenOptions {
  wall: boolean;
  lang: 'zh' | 'en';
  /** Light settings for walls without a GPU: render on demand, no MSAA, no atmosphere. */
  light: boolean;
  /** `?scale=0.5`: render the globe at a fraction of the screen's pixels. */
  resolutionScale: number;
  tour: boolean;
}

export function screenOptions(search: string): ScreenOptions {
  const q = new URLSearchParams(search);
  const flag = (k: string, d: boolean) => (q.has(k) ? !['0', 'false', 'no'].includes(q.get(k) ?? '') : d);
  const wall = flag('wall', false);
  const scale = Number(q.get('scale') ?? '1');
  return { wall, lang: q.get('lang') === 'en' ? 'en' : 'zh', light: flag('light', false), resolutionScale: scale > 0.1 && scale <= 2 ? scale : 1, tour: flag('tour', wall) };
}

/** The site's configuration file; absent or invalid means the defaults (reported, never fatal). */
export async function loadViewerConfig(): Promise<{ config: ViewerConfig; problem: string | null }> {
  try {
    const r = await fetch('viewer-config.json', { headers: { accept: 'application/json' } });
    if (!r.ok) return { config: ViewerConfig.parse({}), problem: null };
    const parsed = ViewerConfig.safeParse(await r.json());
    if (parsed.success) return { config: parsed.data, problem: null };
    return { config: ViewerConfig.parse({}), problem: `viewer-config.json: ${z.prettifyError(parsed.error)}` };
  } catch {
    return { config: ViewerConfig.parse({}), problem: null };
  }
}
