import {
  Cartesian2, Cartesian3, Color, ColorGeometryInstanceAttribute, DistanceDisplayCondition, GeometryInstance, HorizontalOrigin,
  LabelCollection, LabelStyle, Material, PerInstanceColorAppearance, PolygonGeometry, PolygonHierarchy, PolylineCollection,
  Primitive, VerticalOrigin, type Label, type Polyline, type Scene,
} from 'cesium';
import { COUNTIES, LAKES, PLACES, PREFECTURES, RIVERS, type Area, type Pos } from './basin-geo';
import { LAKE_ZH, PLACE_ZH, RIVER_ZH } from './names-zh';
import type { Lang } from './format';

/**
 * The basin drawn from the repository's data: the bundled imagery stops at 0.18°/pixel, so Hubei's
 * prefecture and county boundaries, Natural Earth rivers, lakes and places carry the map at basin
 * scale.
 */
/** Line width (px) by Natural Earth scalerank: the main stem widest, minor tributaries thinnest. */
export function riverWidth(scalerank: number): number {
  return scalerank <= 1 ? 4 : scalerank <= 6 ? 2.6 : scalerank <= 7 ? 2 : 1.4;
}

const RIVER_COLOR = Color.fromCssColorString('#4fb3ff');
const LAKE_COLOR = Color.fromCssColorString('#2b86d1').withAlpha(0.75);
const PREFECTURE_COLOR = Color.fromCssColorString('#d9c49a').withAlpha(0.8);
const COUNTY_COLOR = Color.fromCssColorString('#a9b8c6').withAlpha(0.4);
/** County lines only when the camera is this close (m): at basin scale they would be clutter. */
const COUNTY_MAX_DISTANCE = 1.4e6;
const FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

export interface BasinLayers {
  /** Boundary lines drawn: prefecture-level and county-level outlines (rings). */
  readonly boundaries: { prefectures: number; counties: number };
  setLang(lang: Lang): void;
  setVisible(v: boolean): void;
  /** Line widths and text at this scale (wallScale). */
  setScale(k: number): void;
}

/** A line and its width at scale 1. */
type Sized = { line: Polyline; width: number };

/** Every ring (outer boundaries and holes) of a polygon or multipolygon, as drawn outlines. */
export function areaRings(g: Area): Pos[][] {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.flat().filter((r) => r.length >= 2);
}

function addBoundaries(scene: Scene, k: number, sized: Sized[]): { collection: PolylineCollection; prefectures: number; counties: number } {
  // first of the basin's primitives: drawn under the rivers and lakes
  const collection = scene.primitives.add(new PolylineCollection()) as PolylineCollection;
  const add = (areas: typeof PREFECTURES, width: number, color: Color, far: number) => {
    let n = 0;
    for (const f of areas)
      for (const ring of areaRings(f.geometry)) {
        sized.push({ line: collection.add({ positions: Cartesian3.fromDegreesArray(ring.flat()), width: width * k, material: Material.fromType('Color', { color }), distanceDisplayCondition: new DistanceDisplayCondition(0, far) }), width });
        n++;
      }
    return n;
  };
  const counties = add(COUNTIES, 1, COUNTY_COLOR, COUNTY_MAX_DISTANCE);
  const prefectures = add(PREFECTURES, 1.6, PREFECTURE_COLOR, Number.POSITIVE_INFINITY);
  return { collection, prefectures, counties };
}

/** `k` scales line widths and text (wallScale: ×2 on a 3840-pixel wall). */
export function addBasinLayers(scene: Scene, lang: Lang, k = 1): BasinLayers {
  const sized: Sized[] = [];
  const boundaries = addBoundaries(scene, k, sized);
  const rivers = scene.primitives.add(new PolylineCollection()) as PolylineCollection;
  const labels = scene.primitives.add(new LabelCollection({ scene })) as LabelCollection;
  for (const f of RIVERS) {
    const lines = f.geometry.type === 'LineString' ? [f.geometry.coordinates] : f.geometry.coordinates;
    const rank = Number(f.properties.scalerank ?? 9);
    for (const l of lines) {
      if (l.length < 2) continue;
      sized.push({ line: rivers.add({ positions: Cartesian3.fromDegreesArray(l.flat()), width: riverWidth(rank) * k, material: Material.fromType('Color', { color: RIVER_COLOR }) }), width: riverWidth(rank) });
    }
  }
  const instances: GeometryInstance[] = [];
  for (const f of LAKES) {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const rings of polys) {
      const [outer, ...holes] = rings;
      if (!outer || outer.length < 4) continue;
      const hierarchy = new PolygonHierarchy(Cartesian3.fromDegreesArray(outer.flat()), holes.map((h) => new PolygonHierarchy(Cartesian3.fromDegreesArray(h.flat()))));
      instances.push(new GeometryInstance({ geometry: new PolygonGeometry({ polygonHierarchy: hierarchy, height: 0 }), attributes: { color: ColorGeometryInstanceAttribute.fromColor(LAKE_COLOR) } }));
    }
  }
  const lakes = scene.primitives.add(new Primitive({ geometryInstances: instances, appearance: new PerInstanceColorAppearance({ flat: true, translucent: true }), asynchronous: false })) as Primitive;

  type Named = { zh: string; en: string; lon: number; lat: number; kind: 'place' | 'lake' | 'river'; rank: number };
  const named: Named[] = [];
  for (const f of PLACES) {
    const en = String(f.properties.name);
    const zh = PLACE_ZH[en];
    if (zh) named.push({ zh, en, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1], kind: 'place', rank: Number(f.properties.scalerank ?? 8) });
  }
  for (const f of LAKES) {
    const en = String(f.properties.name ?? '');
    const zh = LAKE_ZH[en];
    const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0]?.[0];
    if (zh && ring) {
      const [lon, lat] = centroid(ring);
      named.push({ zh, en: en.replace(' Hu', ' Lake').replace(' Shuiku', ' Reservoir'), lon, lat, kind: 'lake', rank: 5 });
    }
  }
  const seenRiver = new Set<string>();
  for (const f of RIVERS) {
    const en = String(f.properties.name);
    const zh = RIVER_ZH[en];
    if (!zh || seenRiver.has(zh)) continue;
    seenRiver.add(zh);
    const line = f.geometry.type === 'LineString' ? f.geometry.coordinates : f.geometry.coordinates.reduce((a, b) => (b.length > a.length ? b : a), []);
    const mid = line[Math.floor(line.length * (en === 'Han' ? 0.35 : 0.5))];
    if (mid) named.push({ zh, en: en === 'Chang Jiang' ? 'Yangtze' : en, lon: mid[0], lat: mid[1], kind: 'river', rank: 6 });
  }
  const style = { place: ['#f2f6fa', 15], lake: ['#9fd6ff', 13], river: ['#7cc8ff', 13] } as const;
  const fontOf = (n: Named, k: number) => {
    const px = style[n.kind][1];
    return `${n.kind === 'river' ? 'italic ' : ''}${Math.round((n.kind === 'place' && n.rank <= 2 ? px + 3 : px) * k)}px ${FONT}`;
  };
  const scaleLabel = (label: Label, n: Named, k: number) => {
    label.font = fontOf(n, k);
    label.outlineWidth = 3 * k;
    label.pixelOffset = new Cartesian2(n.kind === 'place' ? 6 * k : 0, 0);
  };
  const items = named.map((n) => {
    const label = labels.add({
      position: Cartesian3.fromDegrees(n.lon, n.lat),
      text: lang === 'zh' ? n.zh : n.en,
      font: fontOf(n, k),
      fillColor: Color.fromCssColorString(style[n.kind][0]),
      outlineColor: Color.fromCssColorString('#05101a'),
      outlineWidth: 3 * k,
      style: LabelStyle.FILL_AND_OUTLINE,
      horizontalOrigin: HorizontalOrigin.LEFT,
      verticalOrigin: VerticalOrigin.CENTER,
      pixelOffset: new Cartesian2(n.kind === 'place' ? 6 * k : 0, 0),
      // small places only when zoomed in
      distanceDisplayCondition: new DistanceDisplayCondition(0, n.rank <= 4 ? 2.5e7 : n.kind === 'place' ? 2.2e6 : 4e6),
    });
    return { n, label };
  });
  const dots = scene.primitives.add(new LabelCollection({ scene })) as LabelCollection;
  const dotLabels: Label[] = [];
  for (const { n } of items) {
    if (n.kind !== 'place') continue;
    dotLabels.push(dots.add({ position: Cartesian3.fromDegrees(n.lon, n.lat), text: '●', font: `${Math.round(9 * k)}px ${FONT}`, fillColor: Color.fromCssColorString('#f2f6fa'), horizontalOrigin: HorizontalOrigin.CENTER, verticalOrigin: VerticalOrigin.CENTER, distanceDisplayCondition: new DistanceDisplayCondition(0, n.rank <= 4 ? 2.5e7 : 2.2e6) }));
  }
  return {
    boundaries: { prefectures: boundaries.prefectures, counties: boundaries.counties },
    setLang(lang) {
      for (const { n, label } of items) label.text = lang === 'zh' ? n.zh : n.en;
      scene.requestRender();
    },
    setVisible(v) {
      rivers.show = lakes.show = labels.show = dots.show = boundaries.collection.show = v;
      scene.requestRender();
    },
    setScale(k) {
      for (const x of sized) x.line.width = x.width * k;
      for (const { n, label } of items) scaleLabel(label, n, k);
      for (const d of dotLabels) d.font = `${Math.round(9 * k)}px ${FONT}`;
      scene.requestRender();
    },
  };
}

function centroid(ring: Pos[]): Pos {
  let x = 0;
  let y = 0;
  for (const [lon, lat] of ring) {
    x += lon;
    y += lat;
  }
  return [x / ring.length, y / ring.length];
}
