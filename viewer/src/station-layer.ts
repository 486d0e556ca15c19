import {
  BillboardCollection, BlendOption, Cartesian2, Cartesian3, Color, DistanceDisplayCondition, HorizontalOrigin, LabelCollection, LabelStyle,
  NearFarScalar, VerticalOrigin, type Billboard, type Label, type Scene,
} from 'cesium';
import type { StationKind } from '@basin/schemas';

/**
 * Stations as Cesium primitives: one BillboardCollection (shape by kind, colour by status) and one
 * LabelCollection, not one Entity per station — the globe stays fluid with tens of thousands of
 * stations and a thousand updates a second (bench/viewer.ts measures it against Entities).
 */
export const KIND_SHAPE: Readonly<Record<StationKind, Shape>> = {
  hydrology_gauge: 'triangle',
  reservoir: 'square',
  lake_gauge: 'triangle_down',
  water_quality: 'circle',
  water_intake: 'diamond',
  air_quality: 'hexagon',
  soil: 'pentagon',
};
export type Shape = 'triangle' | 'triangle_down' | 'square' | 'circle' | 'diamond' | 'hexagon' | 'pentagon';

const SIZE = 32;
const images = new Map<Shape, string>();

/** White shape with a dark rim, tinted per station through Billboard.color; one atlas entry per kind. */
export function shapeImage(shape: Shape): string {
  let url = images.get(shape);
  if (url) return url;
  const c = document.createElement('canvas');
  c.width = c.height = SIZE;
  const g = c.getContext('2d')!;
  const m = SIZE / 2;
  const r = SIZE / 2 - 3;
  g.beginPath();
  const poly = (n: number, rot: number) => {
    for (let i = 0; i < n; i++) {
      const a = rot + (i * 2 * Math.PI) / n;
      g.lineTo(m + r * Math.cos(a), m + r * Math.sin(a));
    }
    g.closePath();
  };
  if (shape === 'circle') g.arc(m, m, r, 0, 2 * Math.PI);
  else if (shape === 'triangle') poly(3, -Math.PI / 2);
  else if (shape === 'triangle_down') poly(3, Math.PI / 2);
  else if (shape === 'square') g.rect(5, 5, SIZE - 10, SIZE - 10);
  else if (shape === 'diamond') poly(4, -Math.PI / 2);
  else if (shape === 'hexagon') poly(6, 0);
  else poly(5, -Math.PI / 2);
  g.fillStyle = '#ffffff';
  g.fill();
  g.lineWidth = 2.5;
  g.strokeStyle = '#0a1420';
  g.stroke();
  url = c.toDataURL('image/png');
  images.set(shape, url);
  return url;
}

export interface StationPoint {
  id: string;
  kind: StationKind;
  lon: number;
  lat: number;
  label?: string;
}

const colors = new Map<string, Color>();
const colorOf = (css: string): Color => {
  let c = colors.get(css);
  if (!c) colors.set(css, (c = Color.fromCssColorString(css)));
  return c;
};
const FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

export class StationLayer {
  private readonly billboards: BillboardCollection;
  private readonly labels: LabelCollection;
  private readonly byId = new Map<string, { b: Billboard; l: Label | null; base: number; color: Color }>();
  private pulsing = new Set<string>();
  private readonly removePulse: () => void;

  constructor(
    private readonly scene: Scene,
    private readonly scale = 1,
  ) {
    // TRANSLUCENT: one draw of all symbols with alpha blending (their edges are anti-aliased) instead
    // of Cesium's default opaque + translucent passes, each over every billboard: with 10,000 stations
    // on SwiftShader (bench page, unpaced) 0.8–1.2 fps with two passes, 1.35–1.7 fps with one
    this.billboards = scene.primitives.add(new BillboardCollection({ scene, blendOption: BlendOption.TRANSLUCENT })) as BillboardCollection;
    this.labels = scene.primitives.add(new LabelCollection({ scene })) as LabelCollection;
    this.removePulse = scene.preUpdate.addEventListener(() => this.animate());
  }

  /** Replace the stations shown. */
  setStations(points: readonly StationPoint[]): void {
    this.billboards.removeAll();
    this.labels.removeAll();
    this.byId.clear();
    const neutral = colorOf('#4a5561');
    for (const p of points) {
      const position = Cartesian3.fromDegrees(p.lon, p.lat, 0);
      const base = (p.label ? 0.62 : 0.4) * this.scale;
      const b = this.billboards.add({
        id: p.id,
        position,
        image: shapeImage(KIND_SHAPE[p.kind]),
        scale: base,
        color: neutral,
        scaleByDistance: new NearFarScalar(2e5, 1.6, 8e6, 0.7),
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      });
      const l = p.label
        ? this.labels.add({
            id: p.id,
            position,
            text: p.label,
            font: `${Math.round(14 * this.scale)}px ${FONT}`,
            fillColor: colorOf('#e8f1f8'),
            outlineColor: colorOf('#05101a'),
            outlineWidth: 3,
            style: LabelStyle.FILL_AND_OUTLINE,
            horizontalOrigin: HorizontalOrigin.LEFT,
            verticalOrigin: VerticalOrigin.CENTER,
            pixelOffset: new Cartesian2(12 * this.scale, 0),
            distanceDisplayCondition: new DistanceDisplayCondition(0, 1.6e6),
            disableDepthTestDistance: Number.POSITIVE_INFINITY,
          })
        : null;
      this.byId.set(p.id, { b, l, base, color: neutral });
    }
    this.scene.requestRender();
  }

  /** Colour one station (CSS colour); cheap enough for thousands of calls per second. */
  setColor(id: string, css: string): void {
    const s = this.byId.get(id);
    if (!s) return;
    const c = colorOf(css); // one shared Color per CSS colour: unchanged colours compare by reference
    if (s.color === c) return;
    s.color = c;
    s.b.color = c;
    this.scene.requestRender();
  }

  setLabel(id: string, text: string): void {
    const s = this.byId.get(id);
    if (s?.l && s.l.text !== text) s.l.text = text;
  }

  /** Stations with an active alert pulse. */
  setPulsing(ids: Iterable<string>): void {
    const next = new Set(ids);
    for (const id of this.pulsing) if (!next.has(id)) this.resetScale(id);
    this.pulsing = next;
    this.scene.requestRender();
  }

  get size(): number {
    return this.byId.size;
  }

  /** The station id under a window position, if any. */
  pick(x: number, y: number): string | null {
    const hit = this.scene.pick(new Cartesian2(x, y)) as { id?: unknown; collection?: unknown } | undefined;
    if (!hit || (hit.collection !== this.billboards && hit.collection !== this.labels)) return null;
    return typeof hit.id === 'string' ? hit.id : null;
  }

  destroy(): void {
    this.removePulse();
    this.scene.primitives.remove(this.billboards);
    this.scene.primitives.remove(this.labels);
  }

  private resetScale(id: string): void {
    const s = this.byId.get(id);
    if (s) s.b.scale = s.base;
  }

  private animate(): void {
    if (this.pulsing.size === 0) return;
    const k = 1 + 0.45 * (0.5 + 0.5 * Math.sin((performance.now() / 1000) * 2 * Math.PI));
    for (const id of this.pulsing) {
      const s = this.byId.get(id);
      if (s) s.b.scale = s.base * k;
    }
    // keep animating in render-on-demand mode, at most ~20 frames a second
    if (this.scene.requestRenderMode) setTimeout(() => this.scene.requestRender(), 50);
  }
}
