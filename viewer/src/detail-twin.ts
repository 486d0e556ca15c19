import {
  AmbientLight, BoxGeometry, BufferGeometry, Color, DirectionalLight, ExtrudeGeometry, Float32BufferAttribute, Group, HemisphereLight, Line,
  LineDashedMaterial, Mesh, MeshLambertMaterial, PerspectiveCamera, Scene, Shape, Vector2, Vector3, WebGLRenderer,
} from 'three';
import { levelsAt, type Station } from '@basin/schemas';
import { esc, type Lang } from './format';
import { t, type TextKey } from './i18n';
import { SEVERITY_COLOR } from './status';
import { damSection, sectionModel, type LevelMark, type Pt2, type SectionModel } from './twin-section';

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
  dead: '#8fa9bf',
  floodLimit: SEVERITY_COLOR.yellow,
  normalPool: '#3fe0a0',
  floodControlHigh: SEVERITY_COLOR.orange,
};
const MARK_TEXT: Record<LevelMark['key'], TextKey> = {
  setup: 'setup', warning: 'warning', guaranteed: 'guaranteed', record: 'histMax', forecast: 'forecastPeak',
  dead: 'deadLevel', floodLimit: 'floodLimit', normalPool: 'normalPool', floodControlHigh: 'floodControlHigh',
};

/** The picture of a station: a gauge's cross-section, or a reservoir's dam with the levels in force now. */
export function sectionOf(station: Station, stage: number | null, forecastMax: number | null, now: number): SectionModel | null {
  if (station.kind === 'reservoir') {
    const r = levelsAt(station, now);
    if (!r || r.type !== 'reservoir') return null;
    return damSection({ dead: r.dead?.value ?? null, floodLimit: r.floodLimit?.value ?? null, normalPool: r.normalPool?.value ?? null, floodControlHigh: r.floodControlHigh?.value ?? null, record: r.historicalMax?.value ?? null }, stage);
  }
  return station.levels ? sectionModel(station.levels, stage, forecastMax) : null;
}

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
    const m = sectionOf(station, stage, forecastMax, Date.now());
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
    if (m.tail.length >= 3) this.model.add(extrude(m.tail, '#2f8fe0', 0.6));
    const [x0, x1] = m.markSpan;
    const span = x1 - x0;
    for (const mark of m.marks) {
      if (mark.key === 'forecast') {
        const g = new BufferGeometry();
        g.setAttribute('position', new Float32BufferAttribute([x0, y(mark.value), LENGTH / 2 + 2, x1, y(mark.value), LENGTH / 2 + 2], 3));
        const line = new Line(g, new LineDashedMaterial({ color: MARK_COLOR.forecast, dashSize: 40, gapSize: 25 }));
        line.computeLineDistances();
        this.model.add(line);
        continue;
      }
      const plane = new Mesh(new BoxGeometry(span, 0.6, LENGTH), new MeshLambertMaterial({ color: MARK_COLOR[mark.key], transparent: true, opacity: 0.28 }));
      plane.position.set((x0 + x1) / 2, y(mark.value), 0);
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
    const cx = (m.ground[m.ground.length - 1]![0] + m.ground[0]![0]) / 2;
    this.camera.position.set(cx - half * 0.25, mid + d * 0.32, LENGTH / 2 + d);
    this.camera.lookAt(new Vector3(cx, mid, 0));
    this.renderer.render(this.scene, this.camera);
    this.frames++;
    this.placeLabels(w, h);
  }

  private placeLabels(w: number, h: number): void {
    const m = this.model2d!;
    const L = this.lang();
    const k = m.exaggeration;
    const right = m.markSpan[1];
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
export function twinHeader(station: Station, stage: number | null, lang: Lang, outflow: number | null = null): string {
  const name = lang === 'zh' ? station.name.zh : station.name.en;
  const dam = station.kind === 'reservoir';
  const out = dam ? `<span class="stage" data-outflow>${t('outflow', lang)} ${outflow === null ? '—' : `${Math.round(outflow)} m³/s`}</span>` : '';
  return `<header><h2>${esc(name)} · ${t(dam ? 'damTwin' : 'detailTwin', lang)}</h2><span class="stage">${t(dam ? 'poolLevel' : 'stage', lang)} ${stage === null ? '—' : `${stage.toFixed(2)} m`}</span>${out}<button data-act="close-twin" class="x" title="${t('close', lang)}">×</button></header><p class="note">${t(dam ? 'damNote' : 'twinNote', lang)}</p>`;
}
