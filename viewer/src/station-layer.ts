import {
  Cartesian2, Cartesian3, Color, DistanceDisplayCondition, HorizontalOrigin, LabelCollection, LabelStyle, VerticalOrigin, type Label,
  type Scene,
} from 'cesium';
import { KIND_SHAPE } from './station-shapes';
import { StationSymbols } from './station-symbols';
import type { StationKind } from '@basin/schemas';
import { packRgba } from './symbol-buffer';

/**
 * Stations on the globe: their symbols as one primitive (station-symbols.ts: shape by kind, colour
 * by status, alerts pulsing) and the named ones' labels in one LabelCollection — not one Entity per
 * station, so the globe stays fluid with tens of thousands of stations and a thousand updates a
 * second (bench/viewer.ts measures it against Entities).
 */
export interface StationPoint {
  id: string;
  kind: StationKind;
  lon: number;
  lat: number;
  label?: string;
}

const FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
/** Symbols grow when the camera comes close: ×1.6 at 200 km, ×0.7 from 8,000 km (Cesium's NearFarScalar). */
const SCALE_BY_DISTANCE = { near: 2e5, nearValue: 1.6, far: 8e6, farValue: 0.7 };
const NEUTRAL = '#4a5561';
/** Symbol size (× the 32-pixel symbol): named stations larger than synthetic ones. */
const sizeOf = (named: boolean) => (named ? 0.62 : 0.4);

/** One packed colour per CSS colour string. */
const packed = new Map<string, number>();
const rgbaOf = (css: string): number => {
  let c = packed.get(css);
  if (c === undefined) packed.set(css, (c = packRgba(Color.fromCssColorString(css))));
  return c;
};

interface Station {
  i: number;
  l: Label | null;
  css: string;
}

export class StationLayer {
  private readonly symbols: StationSymbols;
  private readonly labels: LabelCollection;
  private readonly byId = new Map<string, Station>();
  private pulsing = new Set<string>();
  private readonly removePulse: () => void;

  constructor(
    private readonly scene: Scene,
    private scale = 1,
  ) {
    this.symbols = scene.primitives.add(new StationSymbols(SCALE_BY_DISTANCE, Color.fromCssColorString(NEUTRAL))) as StationSymbols;
    this.labels = scene.primitives.add(new LabelCollection({ scene })) as LabelCollection;
    this.removePulse = scene.preUpdate.addEventListener(() => this.animate());
  }

  /** Replace the stations shown. */
  setStations(points: readonly StationPoint[]): void {
    this.labels.removeAll();
    this.byId.clear();
    const symbols = points.map((p, i) => {
      const position = Cartesian3.fromDegrees(p.lon, p.lat, 0);
      const l = p.label ? this.labels.add(this.labelOptions(p.id, p.label, position)) : null;
      this.byId.set(p.id, { i, l, css: NEUTRAL });
      return { id: p.id, position, shape: KIND_SHAPE[p.kind], size: sizeOf(l !== null) * this.scale };
    });
    this.symbols.set(symbols);
    for (const id of this.pulsing) this.markPulse(id, true);
    this.scene.requestRender();
  }

  /** Symbols and labels at this scale (wallScale × the wall's own 1.25). */
  setScale(scale: number): void {
    this.scale = scale;
    for (const s of this.byId.values()) {
      this.symbols.setSize(s.i, sizeOf(s.l !== null) * scale);
      if (s.l) {
        s.l.font = this.font();
        s.l.outlineWidth = 3 * scale;
        s.l.pixelOffset = new Cartesian2(12 * scale, 0);
      }
    }
    this.scene.requestRender();
  }

  /** Colour one station (CSS colour); cheap enough for thousands of calls per second. */
  setColor(id: string, css: string): void {
    const s = this.byId.get(id);
    if (!s || s.css === css) return;
    s.css = css;
    if (this.symbols.setColor(s.i, rgbaOf(css))) this.scene.requestRender();
  }

  /** The CSS colour a station is drawn in, null for an unknown station. */
  colorOf(id: string): string | null {
    return this.byId.get(id)?.css ?? null;
  }

  setLabel(id: string, text: string): void {
    const s = this.byId.get(id);
    if (s?.l && s.l.text !== text) s.l.text = text;
  }

  /** Stations with an active alert pulse. */
  setPulsing(ids: Iterable<string>): void {
    const next = new Set(ids);
    for (const id of this.pulsing) if (!next.has(id)) this.markPulse(id, false);
    for (const id of next) this.markPulse(id, true);
    this.pulsing = next;
    this.scene.requestRender();
  }

  get size(): number {
    return this.byId.size;
  }

  /** The station id under a window position, if any. */
  pick(x: number, y: number): string | null {
    const hit = this.scene.pick(new Cartesian2(x, y)) as { id?: unknown; collection?: unknown } | undefined;
    if (!hit || (hit.collection !== this.symbols && hit.collection !== this.labels)) return null;
    return typeof hit.id === 'string' ? hit.id : null;
  }

  destroy(): void {
    this.removePulse();
    this.scene.primitives.remove(this.symbols);
    this.scene.primitives.remove(this.labels);
  }

  private labelOptions(id: string, text: string, position: Cartesian3) {
    return {
      id,
      position,
      text,
      font: this.font(),
      fillColor: Color.fromCssColorString('#e8f1f8'),
      outlineColor: Color.fromCssColorString('#05101a'),
      outlineWidth: 3 * this.scale,
      style: LabelStyle.FILL_AND_OUTLINE,
      horizontalOrigin: HorizontalOrigin.LEFT,
      verticalOrigin: VerticalOrigin.CENTER,
      pixelOffset: new Cartesian2(12 * this.scale, 0),
      distanceDisplayCondition: new DistanceDisplayCondition(0, 1.6e6),
      disableDepthTestDistance: Number.POSITIVE_INFINITY,
    };
  }

  private font(): string {
    return `${Math.round(14 * this.scale)}px ${FONT}`;
  }

  private markPulse(id: string, on: boolean): void {
    const s = this.byId.get(id);
    if (s) this.symbols.setPulse(s.i, on);
  }

  /** The shader animates pulses; in render-on-demand mode frames must still be asked for (~20 a second). */
  private animate(): void {
    if (this.pulsing.size > 0 && this.scene.requestRenderMode) setTimeout(() => this.scene.requestRender(), 50);
  }
}
