import { Cartesian3, Color, Material, PolylineCollection, type Polyline, type Scene } from 'cesium';
import { reachLine, reachLook, type ReachState } from './reach-status';

/**
 * The twin's reaches over the Natural Earth rivers, one polyline each, coloured by their live
 * state from `GET /api/state/summary` (flood colour, water class, all stale). A reach with nothing
 * to show is hidden and the plain river shows through.
 */
export interface ReachGeometry {
  id: string;
  river: string;
  fromKm: number;
  toKm: number;
}

export class ReachLayer {
  private readonly lines: PolylineCollection;
  private readonly byId = new Map<string, { line: Polyline; css: string | null }>();

  /** `k` scales the line width (wallScale). */
  constructor(
    private readonly scene: Scene,
    private k = 1,
  ) {
    this.lines = scene.primitives.add(new PolylineCollection()) as PolylineCollection;
  }

  get size(): number {
    return this.byId.size;
  }

  setScale(k: number): void {
    this.k = k;
    for (const r of this.byId.values()) r.line.width = 8 * k;
    this.scene.requestRender();
  }

  setReaches(reaches: readonly ReachGeometry[]): void {
    if (this.byId.size > 0) return;
    for (const r of reaches) {
      const pts = reachLine(r.river, r.fromKm, r.toKm);
      if (pts.length < 2) continue;
      // a dark outline sets a coloured reach apart from the plain (blue) river under it, also for class I–II
      const material = Material.fromType('PolylineOutline', { color: Color.WHITE, outlineColor: Color.fromCssColorString('#05101a'), outlineWidth: 2 });
      const line = this.lines.add({ positions: Cartesian3.fromDegreesArray(pts.flat()), width: 8 * this.k, show: false, material });
      this.byId.set(r.id, { line, css: null });
    }
  }

  /** Colours from the summary's per-reach state; returns how many reaches show a colour. */
  setStatus(reaches: Readonly<Record<string, ReachState>>): number {
    let shown = 0;
    for (const [id, r] of this.byId) {
      const look = reachLook(reaches[id]);
      const css = look?.color ?? null;
      if (css) shown++;
      if (css === r.css) continue;
      r.css = css;
      r.line.show = css !== null;
      if (css) r.line.material.uniforms.color = Color.fromCssColorString(css).withAlpha(0.9);
    }
    this.scene.requestRender();
    return shown;
  }
}
