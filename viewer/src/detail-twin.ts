import {
  AmbientLight, BoxGeometry, BufferGeometry, Color, DirectionalLight, ExtrudeGeometry, Float32BufferAttribute, Group, HemisphereLight, Line,
  LineDashedMaterial, Mesh, MeshLambertMaterial, PerspectiveCamera, Scene, Shape, Vector2, Vector3, WebGLRenderer,
} from 'three';
import type { Station } from '@basin/schemas';
import { esc, type Lang } from './format';
import { t, type TextKey } from './i18n';
import { SEVERITY_COLOR } from './status';
import { sectionModel, type LevelMark, type Pt2, type SectionModel } from './twin-section';

/**
 * The gauge detail twin (three.js, WebGL2, its own chunk): the schematic cross-section of
 * twin-section.ts extruded along the river, the water at the current stage, the reference levels
 * as coloured planes across the section and the forecast peak as a dashed line, labelled in
 * HTML. Rendered on demand (on open, on a new stage, on resize): walls without a GPU draw it once.
 */
const LENGTH = 900;
const MARK_COLOR: Record<LevelMark['key'], string> = {
  setup: SEVERITY_COLOR.blue,
  warning: SEVERITY_COLOR.yellow,
  guaranteed: SEVERITY_COLOR.orange,
  record: SEVERITY_COLOR.red,
  forecast: '#b48cff',
};
const MARK_TEXT: Record<LevelMark['key'], TextKey> = { setup: 'setup', warning: 'warning', guaranteed: 'guaranteed', record: 'histMax', forecast: 'forecastPeak' };

export class DetailTwin {
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(38, 1, 10, 20_000);
  private readonly model = new Group();
  private readonly labels: HTMLElement;
  private model2d: SectionModel | null = null;
  private readonly observer: ResizeObserver;
  /** Frames drawn (tests wait for the first). */
  frames = 0;

  constructor(
    private readonly host: HTMLElement,
    private readonly lang: () => Lang,
  ) {
    this.renderer = new WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio));
    this.renderer.domElement.dataset.twinCanvas = '';
    this.labels = document.createElement('div');
    this.labels.className = 'twin-labels';
    host.append(this.renderer.domElement, this.labels);
    this.scene.background = new Color('#06121d');
    this.scene.add(new HemisphereLight('#cfe8ff', '#3a2d1c', 1.1), new AmbientLight('#ffffff', 0.35));
    const sun = new DirectionalLight('#ffffff', 1.4);
    sun.position.set(-600, 1200, 900);
    this.scene.add(sun, this.model);
    this.observer = new ResizeObserver(() => this.draw());
    this.observer.observe(host);
  }

  /** Shows the station's section with the stage and the forecast peak (null: unknown). */
  show(station: Station, stage: number | null, forecastMax: number | null): boolean {
    const m = station.levels ? sectionModel(station.levels, stage, forecastMax) : null;
    this.model2d = m;
    this.model.clear();
    if (!m) return false;
    const k = m.exaggeration;
    const y = (v: number) => (v - m.bed) * k;
    const extrude = (pts: Pt2[], color: string, opacity = 1) => {
      const shape = new Shape(pts.map(([x, v]) => new Vector2(x, y(v))));
      const geo = new ExtrudeGeometry(shape, { depth: LENGTH, bevelEnabled: false });
      geo.translate(0, 0, -LENGTH / 2);
      return new Mesh(geo, new MeshLambertMaterial({ color, transparent: opacity < 1, opacity }));
    };
    const left = m.ground[0]![0];
    const right = m.ground[m.ground.length - 1]![0];
    // the ground: the section's line closed down to a base below the bed
    this.model.add(extrude([...m.ground, [right, m.bed - 4], [left, m.bed - 4]], '#6b5a3e'));
    if (m.water.length >= 3) this.model.add(extrude(m.water, '#2f8fe0', 0.78));
    const width = right - left;
    for (const mark of m.marks) {
      if (mark.key === 'forecast') {
        const g = new BufferGeometry();
        g.setAttribute('position', new Float32BufferAttribute([left * 0.62, y(mark.value), LENGTH / 2 + 2, right * 0.62, y(mark.value), LENGTH / 2 + 2], 3));
        const line = new Line(g, new LineDashedMaterial({ color: MARK_COLOR.forecast, dashSize: 40, gapSize: 25 }));
        line.computeLineDistances();
        this.model.add(line);
        continue;
      }
      const plane = new Mesh(new BoxGeometry(width * 0.62, 0.6, LENGTH), new MeshLambertMaterial({ color: MARK_COLOR[mark.key], transparent: true, opacity: 0.28 }));
      plane.position.set(0, y(mark.value), 0);
      this.model.add(plane);
    }
    this.draw();
    return true;
  }

  draw(): void {
    const w = this.host.clientWidth;
    const h = this.host.clientHeight;
    if (w === 0 || h === 0 || !this.model2d) return;
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    // looking down the river at the section, a little from above and to the left: the whole width fits
    const m = this.model2d;
    const half = (m.ground[m.ground.length - 1]![0] - m.ground[0]![0]) / 2;
    const tanH = Math.tan(((this.camera.fov / 2) * Math.PI) / 180) * this.camera.aspect;
    const d = (half * 1.08) / tanH;
    const mid = (m.crest - m.bed) * 0.5 * m.exaggeration;
    this.camera.position.set(-half * 0.25, mid + d * 0.32, LENGTH / 2 + d);
    this.camera.lookAt(new Vector3(0, mid, 0));
    this.renderer.render(this.scene, this.camera);
    this.frames++;
    this.placeLabels(w, h);
  }

  private placeLabels(w: number, h: number): void {
    const m = this.model2d!;
    const L = this.lang();
    const k = m.exaggeration;
    const right = m.ground[m.ground.length - 1]![0] * 0.62;
    const at = (v: number) => new Vector3(right, (v - m.bed) * k, LENGTH / 2).project(this.camera);
    let last = Number.NEGATIVE_INFINITY;
    const rows = [...m.marks].sort((a, b) => b.value - a.value).map((mark) => {
      const p = at(mark.value);
      // highest first, each at least a line below the one above (保证 can equal the record)
      const top = Math.max(((1 - p.y) / 2) * h, last + 18);
      last = top;
      return `<span data-mark="${mark.key}" style="left:${(((p.x + 1) / 2) * w).toFixed(0)}px;top:${top.toFixed(0)}px;color:${MARK_COLOR[mark.key]}">${t(MARK_TEXT[mark.key], L)} ${mark.value.toFixed(2)} m</span>`;
    });
    this.labels.innerHTML = rows.join('');
  }

  dispose(): void {
    this.observer.disconnect();
    this.model.clear();
    this.renderer.dispose();
    this.renderer.domElement.remove();
    this.labels.remove();
  }
}

/** The twin overlay's header: station, stage and what the picture is. */
export function twinHeader(station: Station, stage: number | null, lang: Lang): string {
  const name = lang === 'zh' ? station.name.zh : station.name.en;
  return `<header><h2>${esc(name)} · ${t('detailTwin', lang)}</h2><span class="stage">${t('stage', lang)} ${stage === null ? '—' : `${stage.toFixed(2)} m`}</span><button data-act="close-twin" class="x" title="${t('close', lang)}">×</button></header><p class="note">${t('twinNote', lang)}</p>`;
}
