import type { GaugeLevels } from '@basin/schemas';

/**
 * The gauge detail twin's geometry (pure): a schematic river cross-section — channel, floodplain
 * and dykes — in metres of elevation, built around the gauge's reference levels, with the water
 * surface at the current stage. Not a surveyed section: widths are schematic, the bed is put a
 * channel depth below 设防, the dyke crest 2 m above the higher of 保证 and the record (a typical
 * freeboard for main Yangtze dykes; schematic, not the gauge's dyke).
 */
export type Pt2 = [x: number, y: number];

export interface LevelMark {
  key: 'setup' | 'warning' | 'guaranteed' | 'record' | 'forecast' | 'dead' | 'floodLimit' | 'normalPool' | 'floodControlHigh';
  value: number;
}

export interface SectionModel {
  /** Ground line across the river, left dyke to right dyke and beyond (x: m from the centre line). */
  ground: Pt2[];
  /** Water polygon between the dykes (a dam: the pool) up to the stage, empty when there is no stage. */
  water: Pt2[];
  /** A dam's tailwater, schematic (empty for a gauge). */
  tail: Pt2[];
  /** Where the level planes span across the picture (x from, x to). */
  markSpan: [number, number];
  bed: number;
  crest: number;
  floodplain: number;
  marks: LevelMark[];
  /** Vertical exaggeration that makes the section legible (height ≈ 0.35 × width). */
  exaggeration: number;
}

const HALF_CHANNEL = 500;
const BERM = 200;
const DYKE_BASE = 60;
const DYKE_TOP = 20;
const LAND = 350;

export function sectionModel(levels: GaugeLevels, stage: number | null, forecastMax: number | null = null): SectionModel | null {
  const known = [levels.setup, levels.warning, levels.guaranteed, levels.historicalMax ?? null].filter((v): v is number => v != null);
  if (known.length === 0) return null;
  const low = Math.min(...known, ...(stage === null ? [] : [stage]));
  const high = Math.max(...known, ...(stage === null ? [] : [stage]), ...(forecastMax === null ? [] : [forecastMax]));
  const floodplain = (levels.setup ?? levels.warning ?? low) - 1;
  const depth = Math.max(8, (high - low) * 1.5);
  const bed = Math.min(low, floodplain) - depth;
  const crest = Math.max(levels.guaranteed ?? high, levels.historicalMax ?? high, high) + 2;
  const landside = floodplain - 1;
  const half: Pt2[] = [
    [0, bed],
    [HALF_CHANNEL - 120, bed],
    [HALF_CHANNEL, floodplain],
    [HALF_CHANNEL + BERM, floodplain],
    [HALF_CHANNEL + BERM + DYKE_BASE, crest],
    [HALF_CHANNEL + BERM + DYKE_BASE + DYKE_TOP, crest],
    [HALF_CHANNEL + BERM + 2 * DYKE_BASE + DYKE_TOP, landside],
    [HALF_CHANNEL + BERM + 2 * DYKE_BASE + DYKE_TOP + LAND, landside],
  ];
  const ground: Pt2[] = [...half.slice(1).reverse().map(([x, y]): Pt2 => [-x, y]), ...half];
  const marks: LevelMark[] = [];
  if (levels.setup != null) marks.push({ key: 'setup', value: levels.setup });
  if (levels.warning != null) marks.push({ key: 'warning', value: levels.warning });
  if (levels.guaranteed != null) marks.push({ key: 'guaranteed', value: levels.guaranteed });
  if (levels.historicalMax != null) marks.push({ key: 'record', value: levels.historicalMax });
  if (forecastMax !== null) marks.push({ key: 'forecast', value: forecastMax });
  const width = 2 * (HALF_CHANNEL + BERM + 2 * DYKE_BASE + DYKE_TOP + LAND);
  const inner = HALF_CHANNEL + BERM + DYKE_BASE;
  return { ground, water: stage === null ? [] : waterPolygon(ground, Math.min(stage, crest)), tail: [], markSpan: [-inner, inner], bed, crest, floodplain, marks, exaggeration: (0.35 * width) / (crest - bed) };
}

/** A reservoir's levels in force (metres; null: not in force or unknown). */
export interface DamLevels {
  dead: number | null;
  floodLimit: number | null;
  normalPool: number | null;
  floodControlHigh: number | null;
  record: number | null;
}

const POOL = 1400;
const DAM_FACE = 40;
const DAM_TOE = 150;
const DOWNSTREAM = 900;

/**
 * The dam detail twin (pure): a schematic gravity dam seen from the side (x along the river,
 * upstream negative), the pool at its level against 死水位 / 汛限 / 正常蓄水 / 防洪高, and a
 * schematic tailwater. Bed below the dead level by half the level range; crest 10 m over the
 * highest level shown (schematic, not the dam's surveyed crest).
 */
export function damSection(levels: DamLevels, pool: number | null): SectionModel | null {
  const known = [levels.dead, levels.floodLimit, levels.normalPool, levels.floodControlHigh, levels.record].filter((v): v is number => v != null);
  if (known.length === 0) return null;
  const low = Math.min(...known, ...(pool === null ? [] : [pool]));
  const high = Math.max(...known, ...(pool === null ? [] : [pool]));
  const bed = low - Math.max(20, (high - low) * 1.2);
  const crest = high + 10;
  const ground: Pt2[] = [[-POOL, bed], [-DAM_FACE, bed], [-DAM_FACE, crest], [-DAM_FACE + 25, crest], [DAM_TOE, bed], [DOWNSTREAM, bed]];
  const tailLevel = bed + (crest - bed) * 0.15;
  const marks: LevelMark[] = [];
  if (levels.dead != null) marks.push({ key: 'dead', value: levels.dead });
  if (levels.floodLimit != null) marks.push({ key: 'floodLimit', value: levels.floodLimit });
  if (levels.normalPool != null) marks.push({ key: 'normalPool', value: levels.normalPool });
  if (levels.floodControlHigh != null) marks.push({ key: 'floodControlHigh', value: levels.floodControlHigh });
  if (levels.record != null) marks.push({ key: 'record', value: levels.record });
  const tailX = DAM_TOE - ((DAM_TOE - (-DAM_FACE + 25)) * (tailLevel - bed)) / (crest - bed);
  return {
    ground,
    water: pool === null ? [] : [[-POOL, bed], [-DAM_FACE, bed], [-DAM_FACE, Math.min(pool, crest)], [-POOL, Math.min(pool, crest)]],
    tail: [[tailX, tailLevel], [DAM_TOE, bed], [DOWNSTREAM, bed], [DOWNSTREAM, tailLevel]],
    markSpan: [-POOL, -DAM_FACE],
    bed,
    crest,
    floodplain: bed,
    marks,
    exaggeration: (0.35 * (POOL + DOWNSTREAM)) / (crest - bed),
  };
}

/**
 * The water between the dykes up to `level`: the ground points below it from the left dyke's
 * river face to the right one's, closed along the surface. The ground must run left to right
 * with the dyke crests as its highest inner points.
 */
export function waterPolygon(ground: readonly Pt2[], level: number): Pt2[] {
  const crestIdx = ground.map((p, i) => [p[1], i] as const).filter(([y]) => y === Math.max(...ground.map((g) => g[1]))).map(([, i]) => i);
  const from = crestIdx[1] ?? 0; // the left dyke's inner crest corner
  const to = crestIdx[crestIdx.length - 2] ?? ground.length - 1; // the right one's
  const out: Pt2[] = [];
  for (let i = from; i < to; i++) {
    const a = ground[i]!;
    const b = ground[i + 1]!;
    if (a[1] < level) out.push(a);
    if (a[1] < level !== b[1] < level) {
      const t = (level - a[1]) / (b[1] - a[1]);
      out.push([a[0] + t * (b[0] - a[0]), level]);
    }
  }
  if (ground[to]![1] < level) out.push(ground[to]!);
  return out.length >= 3 ? out : [];
}
