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
/**
 * A colour not equal to `c` that draws the same: its alpha one part in a million off, to the side
 * where it still packs to the same byte (Color.floatToByte, as the billboards' vertex data).
 */
const twins = new WeakMap<Color, Color>();
export const twinOf = (c: Color): Color => {
  let t = twins.get(c);
  if (!t) {
    const a = [c.alpha - 1e-6, c.alpha + 1e-6].find((x) => x >= 0 && x <= 1 && Color.floatToByte(x) === Color.floatToByte(c.alpha));
    t = a === undefined ? c : new Color(c.red, c.green, c.blue, a);
    twins.set(c, t);
  }
  return t;
};

/**
 * Recoloured billboards are written to the GPU one buffer call each while fewer than a tenth of a
 * collection changed in a frame, and in one call for the whole buffer above that (Cesium's
 * BillboardCollection). From WHOLE_UPLOAD_FROM of the stations changed in a frame, the layer tops the
 * changes up past a tenth with billboards given a twin of their own colour (they look the same), so
 * the frame takes the single upload: 10,000 stations, 850 recoloured in a frame, SwiftShader:
 * `npm run bench -- viewer`, primitive frame 7.7 → 6.7 ms (its render 6.4 → 5.3 ms), one run each on a quiet machine.
 */
const WHOLE_UPLOAD_FROM = 0.03;
const WHOLE_UPLOAD_AT = 0.1;
const FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

interface Station {
  b: Billboard;
  l: Label | null;
  base: number;
  color: Color;
  /** The billboard holds the twin of `color` (see topUp). */
  twin: boolean;
}

export class StationLayer {
  private readonly billboards: BillboardCollection;
  private readonly labels: LabelCollection;
  private readonly byId = new Map<string, Station>();
  private pulsing = new Set<string>();
  private readonly removePulse: () => void;
  /** Stations recoloured since the last frame, and where topping up continues (see WHOLE_UPLOAD_FROM). */
  private changed = 0;
  private cursor = 0;
  private all: Station[] = [];

  constructor(
    private readonly scene: Scene,
    private readonly scale = 1,
  ) {
    // TRANSLUCENT: one draw of all symbols with alpha blending (their edges are anti-aliased) instead
    // of Cesium's default opaque + translucent passes, each over every billboard: with 10,000 stations
    // on SwiftShader (bench page, unpaced) 0.8–1.2 fps with two passes, 1.35–1.7 fps with one
    this.billboards = scene.primitives.add(new BillboardCollection({ scene, blendOption: BlendOption.TRANSLUCENT })) as BillboardCollection;
    this.labels = scene.primitives.add(new LabelCollection({ scene })) as LabelCollection;
    this.removePulse = scene.preUpdate.addEventListener(() => {
      this.topUp();
      this.animate();
    });
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
      this.byId.set(p.id, { b, l, base, color: neutral, twin: false });
    }
    this.all = [...this.byId.values()];
    this.changed = 0;
    this.scene.requestRender();
  }

  /** Colour one station (CSS colour); cheap enough for thousands of calls per second. */
  setColor(id: string, css: string): void {
    const s = this.byId.get(id);
    if (!s) return;
    const c = colorOf(css); // one shared Color per CSS colour: unchanged colours compare by reference
    if (s.color === c) return;
    s.color = c;
    s.twin = false;
    s.b.color = c;
    this.changed++;
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

  /** Before Cesium updates the billboards of a frame: many changes go up in one buffer call. */
  private topUp(): void {
    const n = this.all.length;
    const changed = this.changed;
    this.changed = 0;
    if (changed === 0 || changed < WHOLE_UPLOAD_FROM * n || changed > WHOLE_UPLOAD_AT * n) return;
    // Some of those touched may be among the recoloured ones: a fifth more than the gap.
    let need = Math.ceil((WHOLE_UPLOAD_AT * n - changed) * 1.2) + 1;
    while (need-- > 0) {
      const s = this.all[this.cursor]!;
      this.cursor = (this.cursor + 1) % n;
      s.twin = !s.twin;
      s.b.color = s.twin ? twinOf(s.color) : s.color;
    }
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
