import { Deck, MapView } from '@deck.gl/core';
import { ArcLayer, PathLayer, PolygonLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import { HexagonLayer } from '@deck.gl/aggregation-layers';
import { METRICS, type LatestReading, type MetricCode, type Station, type StationForecast } from '@basin/schemas';
import type { ApiTask } from './api';
import { LAKES, PLACES, RIVERS, type Pos } from './basin-geo';
import { floodWave, hoursFrom } from './flood-wave';
import { formatDateTime, formatValue, type Lang } from './format';
import { SEVERITY_COLOR } from './status';
import { PLACE_ZH } from './names-zh';

/**
 * The deck.gl analysis view over the basin geometry: hexagon aggregation (mean) of a chosen
 * metric over the stations' latest values, the stations with their values, the newest forecast
 * flood wave gauge by gauge (peak stage in its flood colour, when it peaks, when it crosses its
 * first reference level), and arcs from the dispatching city to each open task. Loaded on demand
 * (its own chunk).
 */
export const ANALYSIS_METRICS: readonly MetricCode[] = ['pm25', 'pm10', 'no2', 'o3', 'nh3n', 'tp', 'codmn', 'do', 'turbidity', 'discharge', 'water_level'];

const lines: Pos[][] = RIVERS.flatMap((f) => (f.geometry.type === 'LineString' ? [f.geometry.coordinates] : f.geometry.coordinates));
const lakes: Pos[][] = LAKES.flatMap((f) => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates[0]!] : f.geometry.coordinates.map((p) => p[0]!)));
const cities = PLACES.filter((p) => PLACE_ZH[String(p.properties.name)]).map((p) => ({ zh: PLACE_ZH[String(p.properties.name)]!, en: String(p.properties.name), pos: p.geometry.coordinates }));

/** The city a team is sent from: the nearest labelled city to the task's station (an assumption; tasks carry no team base). */
export function nearestCity(p: Pos): (typeof cities)[number] | null {
  let best: (typeof cities)[number] | null = null;
  let d = Infinity;
  for (const c of cities) {
    const dd = (c.pos[0] - p[0]) ** 2 + (c.pos[1] - p[1]) ** 2;
    if (dd < d) {
      d = dd;
      best = c;
    }
  }
  return best;
}

/** Colour ramp for a metric's mean: green (low) to red (high); dissolved oxygen is the other way round. */
const RAMP: [number, number, number][] = [[0, 160, 90], [120, 200, 60], [255, 212, 0], [255, 138, 0], [255, 45, 45], [153, 0, 76]];

/** Reference levels a forecast crosses, as the wall names them. */
const LEVEL_NAME: Readonly<Record<string, readonly [string, string]>> = {
  fortification: ['设防', 'set-up'],
  warning: ['警戒', 'warning'],
  guaranteed: ['保证', 'guaranteed'],
  historical_max: ['历史最高', 'record'],
  flood_limit: ['汛限', 'flood limit'],
  normal_pool: ['正常蓄水', 'normal pool'],
  flood_control_high: ['防洪高', 'flood-control high'],
};

export class AnalysisView {
  private deck: Deck<MapView> | null = null;
  /** Gauges of the forecast flood wave drawn (for the note and the tests). */
  waveCount = 0;
  metric: MetricCode = 'pm25';

  constructor(private readonly el: HTMLElement) {}

  show(data: { stations: readonly Station[]; latest: readonly LatestReading[]; tasks: readonly ApiTask[] | null; forecasts: readonly StationForecast[]; now: number; lang: Lang }): void {
    this.el.hidden = false;
    const byId = new Map(data.stations.map((s) => [s.id, s]));
    const points = data.latest
      .filter((r) => r.metric === this.metric && byId.has(r.station))
      .map((r) => ({ pos: [byId.get(r.station)!.location.lon, byId.get(r.station)!.location.lat] as Pos, value: r.value, station: byId.get(r.station)! }));
    const arcs = (data.tasks ?? [])
      .filter((t) => t.state !== 'done' && t.state !== 'cancelled' && t.station && byId.has(t.station))
      .map((t) => {
        const s = byId.get(t.station!)!;
        const to: Pos = [s.location.lon, s.location.lat];
        return { from: nearestCity(to)?.pos ?? to, to, late: t.state === 'overdue' };
      });
    const wave = floodWave(data.forecasts, byId);
    const rgb = (css: string): [number, number, number] => [parseInt(css.slice(1, 3), 16), parseInt(css.slice(3, 5), 16), parseInt(css.slice(5, 7), 16)];
    const waveLabel = (w: (typeof wave)[number]) => {
      const st = byId.get(w.station)!;
      const cross = w.crossing ? ` · ${LEVEL_NAME[w.crossing.level]?.[data.lang === 'zh' ? 0 : 1] ?? w.crossing.level} ${hoursFrom(data.now, w.crossing.at)}` : '';
      return `${data.lang === 'zh' ? st.name.zh : st.name.en} ${w.peak.toFixed(2)} m ${formatDateTime(w.peakAt).slice(5, 16)}${cross}`;
    };
    this.waveCount = wave.length;
    const invert = this.metric === 'do';
    const range = METRICS[this.metric];
    const layers = [
      new PolygonLayer<Pos[]>({ id: 'lakes', data: lakes, getPolygon: (d) => d, getFillColor: [43, 134, 209, 180], stroked: false }),
      new PathLayer<Pos[]>({ id: 'rivers', data: lines, getPath: (d) => d, getColor: [79, 179, 255], widthUnits: 'pixels', getWidth: 1.6 }),
      new HexagonLayer<(typeof points)[number]>({
        id: 'hex',
        data: points,
        getPosition: (d) => d.pos,
        getColorWeight: (d) => (invert ? range.validMax - d.value : d.value),
        colorAggregation: 'MEAN',
        getElevationWeight: (d) => d.value,
        elevationAggregation: 'MEAN',
        radius: 30_000,
        coverage: 0.9,
        opacity: 0.75,
        colorRange: RAMP,
        gpuAggregation: false,
        pickable: true,
      }),
      new ScatterplotLayer<(typeof points)[number]>({ id: 'stations', data: points, getPosition: (d) => d.pos, getRadius: 3, radiusUnits: 'pixels', getFillColor: [240, 246, 250] }),
      new TextLayer<(typeof points)[number]>({
        id: 'values',
        data: points,
        getPosition: (d) => d.pos,
        getText: (d) => `${formatValue(this.metric, d.value).text}`,
        getSize: 13,
        getColor: [240, 246, 250],
        getPixelOffset: [0, -14],
        outlineWidth: 3,
        outlineColor: [5, 16, 26],
        fontSettings: { sdf: true },
        fontFamily: 'WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif',
      }),
      new TextLayer<(typeof cities)[number]>({
        id: 'cities',
        data: cities,
        getPosition: (d) => d.pos,
        getText: (d) => (data.lang === 'zh' ? d.zh : d.en),
        characterSet: 'auto',
        getSize: 14,
        getColor: [170, 200, 220],
        getPixelOffset: [0, 14],
        fontFamily: 'WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif',
      }),
      new ScatterplotLayer<(typeof wave)[number]>({ id: 'wave', data: wave, getPosition: (d) => d.pos, getRadius: 8, radiusUnits: 'pixels', getFillColor: (d) => rgb(d.flood ? SEVERITY_COLOR[d.flood] : '#b48cff'), stroked: true, getLineColor: [5, 16, 26], lineWidthUnits: 'pixels', getLineWidth: 2 }),
      new TextLayer<(typeof wave)[number]>({
        id: 'wave-labels',
        data: wave,
        getPosition: (d) => d.pos,
        getText: waveLabel,
        characterSet: 'auto',
        getSize: 13,
        getColor: (d) => rgb(d.flood ? SEVERITY_COLOR[d.flood] : '#d9c8ff'),
        getTextAnchor: 'start',
        getPixelOffset: [12, 0],
        outlineWidth: 3,
        outlineColor: [5, 16, 26],
        fontSettings: { sdf: true },
        fontFamily: 'WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif',
      }),
      new ArcLayer<(typeof arcs)[number]>({ id: 'arcs', data: arcs, getSourcePosition: (d) => d.from, getTargetPosition: (d) => d.to, getSourceColor: [53, 195, 255], getTargetColor: (d) => (d.late ? [255, 77, 79] : [63, 224, 160]), getWidth: 3 }),
    ];
    if (!this.deck) {
      this.deck = new Deck({
        parent: this.el.querySelector<HTMLDivElement>('[data-deck]')!,
        views: new MapView({ repeat: false }),
        initialViewState: { longitude: 112.5, latitude: 30.6, zoom: 6.2, pitch: 35, bearing: 0 },
        controller: true,
        layers,
        getTooltip: ({ object }) => {
          const o = object as { colorValue?: number; points?: unknown[] } | null;
          return o?.colorValue !== undefined ? `${formatValue(this.metric, invert ? range.validMax - o.colorValue : o.colorValue).text} ${formatValue(this.metric, 0).unit} (${o.points?.length ?? 0})` : null;
        },
      });
    } else this.deck.setProps({ layers });
  }

  hide(): void {
    this.el.hidden = true;
  }

  get visible(): boolean {
    return !this.el.hidden;
  }
}
