import { METRICS, type LatestReading, type MetricCode, type Station } from '@basin/schemas';
import { api } from './api';
import { bandOf, chartSvg, domainOf, downsample, type Band, type LevelLine, type Pt } from './chart';
import { esc, formatAge, formatDateTime, formatValue, type Lang } from './format';
import { KIND_NAME, QUALITY_NAME, pick, t } from './i18n';
import { primaryMetric } from './replay';
import { SEVERITY_COLOR } from './status';

/**
 * The station panel: latest values (unit, QC flag, age) with a sparkline each, and a chart of the
 * chosen metric over 24 h / 7 d / 30 d with the gauge's reference levels and the forecast band.
 */
export const WINDOWS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type Window = keyof typeof WINDOWS;

/** Metrics the flood forecast predicts (its band is drawn after the observed line). */
const FORECAST_METRICS: readonly MetricCode[] = ['water_level', 'discharge'];

export class StationPanel {
  station: Station | null = null;
  private metric: MetricCode | null = null;
  private window: Window = '24h';
  private latest: LatestReading[] = [];
  private seq = 0;

  constructor(
    private readonly el: HTMLElement,
    private lang: () => Lang,
    private readonly onClose: () => void,
    /** Opens the station's detail twin (gauges with reference levels). */
    private readonly onTwin: (s: Station) => void = () => undefined,
  ) {
    el.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest<HTMLElement>('[data-act]');
      if (!b) return;
      if (b.dataset.act === 'close') this.close();
      else if (b.dataset.act === 'twin' && this.station) this.onTwin(this.station);
      else if (b.dataset.act === 'window') void this.setWindow(b.dataset.w as Window);
      else if (b.dataset.act === 'metric') void this.setMetric(b.dataset.m as MetricCode);
    });
  }

  open(station: Station, latest: readonly LatestReading[]): void {
    this.station = station;
    this.metric = primaryMetric(station);
    this.latest = latest.filter((r) => r.station === station.id);
    this.el.hidden = false;
    this.render();
    void this.loadSparklines();
    void this.loadChart();
  }

  close(): void {
    this.station = null;
    this.el.hidden = true;
    this.onClose();
  }

  /** New latest values (from the live loop): rows update in place. */
  update(latest: readonly LatestReading[]): void {
    if (!this.station) return;
    const id = this.station.id;
    this.latest = latest.filter((r) => r.station === id);
    this.renderValues();
  }

  rerender(): void {
    if (this.station) {
      this.render();
      void this.loadSparklines();
      void this.loadChart();
    }
  }

  private async setWindow(w: Window): Promise<void> {
    this.window = w;
    this.el.querySelectorAll<HTMLElement>('[data-act="window"]').forEach((b) => b.classList.toggle('on', b.dataset.w === w));
    await this.loadChart();
  }

  private async setMetric(m: MetricCode): Promise<void> {
    this.metric = m;
    this.el.querySelectorAll<HTMLElement>('[data-act="metric"]').forEach((b) => b.classList.toggle('on', b.dataset.m === m));
    await this.loadChart();
  }

  private render(): void {
    const s = this.station!;
    const L = this.lang();
    const name = L === 'zh' ? s.name.zh : s.name.en;
    this.el.innerHTML = `
      <header><h2>${esc(name)}</h2>${s.kind === 'reservoir' && s.referenceLevels ? `<button data-act="twin" class="twin-btn">${t('openDam', L)}</button>` : s.levels ? `<button data-act="twin" class="twin-btn">${t('openTwin', L)}</button>` : ''}<button data-act="close" class="x" title="${t('close', L)}">×</button></header>
      <p class="sub">${pick(KIND_NAME[s.kind], L)} · ${esc(s.jurisdiction.admin)} · ${esc(s.id)}${s.river ? ` · ${esc(s.river)}${s.riverKm !== null ? ` km ${s.riverKm}` : ''}` : ''}</p>
      <table class="values"><tbody></tbody></table>
      <div class="chart-head">
        <span class="metrics">${s.metrics.map((m) => `<button data-act="metric" data-m="${m}" class="${m === this.metric ? 'on' : ''}">${esc(L === 'zh' ? METRICS[m].nameZh : METRICS[m].nameEn)}</button>`).join('')}</span>
        <span class="windows">${(Object.keys(WINDOWS) as Window[]).map((w) => `<button data-act="window" data-w="${w}" class="${w === this.window ? 'on' : ''}">${w.replace('h', ' h').replace('d', ' d')}</button>`).join('')}</span>
      </div>
      <div class="chart" data-chart></div>
      <p class="note" data-forecast></p>`;
    this.renderValues();
  }

  private renderValues(): void {
    const s = this.station!;
    const L = this.lang();
    const tbody = this.el.querySelector('table.values tbody');
    if (!tbody) return;
    const now = Date.now();
    const byMetric = new Map(this.latest.map((r) => [r.metric, r]));
    const rows = s.metrics.map((m) => {
      const r = byMetric.get(m);
      const def = METRICS[m];
      const v = r ? formatValue(m, r.value) : null;
      const existing = tbody.querySelector<HTMLElement>(`tr[data-metric="${m}"]`);
      const spark = existing?.querySelector('.spark')?.innerHTML ?? '';
      return `<tr data-metric="${m}" class="${r?.quality ?? 'none'}"><th>${esc(L === 'zh' ? def.nameZh : def.nameEn)}</th><td class="v">${v ? v.text : '—'}</td><td class="u">${v ? esc(v.unit) : ''}</td><td class="q">${r ? pick(QUALITY_NAME[r.quality], L) : ''}</td><td class="age" title="${r ? formatDateTime(r.time) : ''}">${r ? formatAge(now - Date.parse(r.time), L) : t('noData', L)}</td><td class="spark">${spark}</td></tr>`;
    });
    tbody.innerHTML = rows.join('');
  }

  private async loadSparklines(): Promise<void> {
    const s = this.station!;
    const my = ++this.seq;
    const to = Date.now();
    await Promise.all(
      s.metrics.map(async (m) => {
        const series = await api.series(s.id, m, to - WINDOWS['24h'], to, 1500).catch(() => null);
        if (my !== this.seq || !series) return;
        const pts = downsample(series.points.map((p) => ({ t: Date.parse(p.time), v: p.value })), 60);
        const cell = this.el.querySelector(`tr[data-metric="${m}"] .spark`);
        if (cell && pts.length > 1) cell.innerHTML = chartSvg({ points: pts, domain: domainOf(pts, pts[0]!.t, pts[pts.length - 1]!.t), w: 100, h: 24, color: '#7fd3ff' });
      }),
    );
  }

  private async loadChart(): Promise<void> {
    const s = this.station;
    const m = this.metric;
    const box = this.el.querySelector<HTMLElement>('[data-chart]');
    if (!s || !m || !box) return;
    const L = this.lang();
    const to = Date.now();
    const from = to - WINDOWS[this.window];
    box.classList.add('loading');
    const wantForecast = FORECAST_METRICS.includes(m);
    const [series, forecast] = await Promise.all([
      api.series(s.id, m, from, to, 50_000).catch((e: Error) => e),
      wantForecast ? api.forecast(s.id) : Promise.resolve(null),
    ]);
    if (this.station !== s || this.metric !== m) return;
    box.classList.remove('loading');
    if (series instanceof Error) {
      box.innerHTML = `<p class="na">${t('notAvailable', L)}: ${esc(series.message)}</p>`;
      return;
    }
    const pts: Pt[] = downsample(series.points.map((p) => ({ t: Date.parse(p.time), v: p.value })), 300);
    const levels: LevelLine[] = [];
    if (m === 'water_level' && s.levels) {
      const lv = s.levels;
      if (lv.setup != null) levels.push({ value: lv.setup, label: `${t('setup', L)} ${lv.setup.toFixed(2)}`, color: SEVERITY_COLOR.blue });
      if (lv.warning != null) levels.push({ value: lv.warning, label: `${t('warning', L)} ${lv.warning.toFixed(2)}`, color: SEVERITY_COLOR.yellow });
      if (lv.guaranteed != null) levels.push({ value: lv.guaranteed, label: `${t('guaranteed', L)} ${lv.guaranteed.toFixed(2)}`, color: SEVERITY_COLOR.orange });
      if (lv.historicalMax != null) levels.push({ value: lv.historicalMax, label: `${t('histMax', L)} ${lv.historicalMax.toFixed(2)}`, color: SEVERITY_COLOR.red });
    }
    // The forecast band, when the server has forecasts and one was run for this gauge
    const fc = forecast?.ok ? forecast.data.find((f) => f.station === s.id) : undefined;
    const band: Band | null = fc ? bandOf((fc.series[m] ?? []).filter((p) => Date.parse(p.validAt) > to - 3_600_000)) : null;
    const note = this.el.querySelector<HTMLElement>('[data-forecast]');
    if (note) {
      note.textContent = !wantForecast
        ? t('cst', L)
        : band && fc
          ? `${t('forecast', L)} ${formatDateTime(fc.issuedAt).slice(5, 16)} · ${fc.modelVersion} · ${t('forecastBand', L)} · ${t('cst', L)}`
          : `${t('forecastNA', L)}${forecast && !forecast.ok && !forecast.missing ? ` (${forecast.message})` : ''} · ${t('cst', L)}`;
      note.dataset.band = band ? 'yes' : 'no';
    }
    if (pts.length === 0 && !band) {
      box.innerHTML = `<p class="na">${t('chartEmpty', L)}</p>`;
      return;
    }
    const bandValues = band ? [...band.lower, ...band.upper].map((p) => p.v) : [];
    const top = Math.max(...pts.map((p) => p.v), ...bandValues);
    const nearLevels = levels.map((l) => l.value).filter((v) => v <= top * 1.15);
    const end = band ? Math.max(to, band.mid[band.mid.length - 1]!.t) : to;
    const d = domainOf(pts, from, end, [...nearLevels, ...bandValues]);
    const unit = formatValue(m, 0).unit;
    box.innerHTML = chartSvg({
      points: pts,
      domain: d,
      w: 600,
      h: 200,
      levels,
      band,
      now: band ? to : undefined,
      axis: { left: formatDateTime(from).slice(5, 16), right: formatDateTime(end).slice(5, 16), top: `${formatValue(m, d.v1).text} ${unit}`, bottom: `${formatValue(m, d.v0).text}` },
    });
  }
}
