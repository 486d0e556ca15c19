import { METRICS, type RehearsalModifier, type Station } from '@basin/schemas';
import { api } from './api';
import { chartSvg, domainOf } from './chart';
import { esc, formatDateTime, formatValue, type Lang } from './format';
import { pick, SEVERITY_NAME, t } from './i18n';
import { MODIFIER_TYPES, modifierOf, newAlerts, peakRows, predictedColours, type ModifierForm, type PeakRow, type Rehearsal } from './rehearsal';
import { SEVERITY_COLOR } from './status';

/**
 * The 预演 rehearsal pane: compose modifiers (a reservoir release, rain on a river, a spill, a gauge
 * offline), run them on a copy of the live state (operators; the API refuses others), and compare
 * the prediction with the current state — on the map (stations in their predicted flood or alert
 * colour, switchable back to live), in a table of predicted peaks against the baseline and now,
 * and in a chart of the picked station's last 24 h with its predicted series after it.
 */
export interface RehearsalDeps {
  stations: () => readonly Station[];
  /** Current value per `station\0metric`. */
  current: () => ReadonlyMap<string, number>;
  /** Colours to draw over the live ones (null: live colours only). */
  showOnMap: (colours: ReadonlyMap<string, string> | null) => void;
  flyTo: (station: string) => void;
  toast: (text: string, error?: boolean) => void;
  lang: () => Lang;
}

const POLL_MS = 1000;

export class RehearsalView {
  private modifiers: RehearsalModifier[] = [];
  private run: Rehearsal | null = null;
  private rows: PeakRow[] = [];
  private onMap = true;
  /** The picked row: station and metric. */
  private picked: { station: string; metric: string } | null = null;
  private lastType = '';

  constructor(
    private readonly el: HTMLElement,
    private readonly deps: RehearsalDeps,
  ) {
    el.addEventListener('click', (e) => void this.onClick(e));
    el.addEventListener('change', (e) => {
      if ((e.target as HTMLElement).id === 'rh-type') this.render();
    });
  }

  get visible(): boolean {
    return !this.el.hidden;
  }

  open(): void {
    this.el.hidden = false;
    this.render();
    this.paintMap();
  }

  close(): void {
    this.el.hidden = true;
    this.deps.showOnMap(null);
  }

  rerender(): void {
    if (this.visible) this.render();
  }

  private async onClick(e: Event): Promise<void> {
    const b = (e.target as HTMLElement).closest<HTMLElement>('[data-act]');
    if (!b) return;
    const act = b.dataset.act;
    if (act === 'rh-close') this.close();
    else if (act === 'rh-add') this.addModifier();
    else if (act === 'rh-drop') {
      this.modifiers.splice(Number(b.dataset.i), 1);
      this.render();
    } else if (act === 'rh-run') await this.start();
    else if (act === 'rh-map') {
      this.onMap = !this.onMap;
      this.paintMap();
      this.render();
    } else if (act === 'rh-pick' && b.dataset.station && b.dataset.metric) {
      this.picked = { station: b.dataset.station, metric: b.dataset.metric };
      this.deps.flyTo(this.picked.station);
      this.render();
    }
  }

  private field(id: string): string {
    return (this.el.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`)?.value ?? '').trim();
  }

  private addModifier(): void {
    const f: ModifierForm = {
      type: (this.field('rh-type') || 'reservoir_outflow') as ModifierForm['type'],
      station: this.field('rh-station'),
      river: this.field('rh-river'),
      metric: this.field('rh-metric'),
      amount: this.field('rh-amount'),
      hours: this.field('rh-hours'),
      startHours: this.field('rh-start'),
    };
    const r = modifierOf(f);
    if (!r.ok) {
      this.deps.toast(`${t('rehearsal', this.deps.lang())}: ${r.problems.join('; ')}`, true);
      return;
    }
    this.modifiers.push(r.modifier);
    this.render();
  }

  private async start(): Promise<void> {
    const L = this.deps.lang();
    if (this.modifiers.length === 0) this.addModifier();
    if (this.modifiers.length === 0) return;
    try {
      const hours = Number(this.field('rh-horizon') || 72);
      const name = this.field('rh-name') || `${t('rehearsal', L)} ${formatDateTime(Date.now()).slice(5, 16)}`;
      this.run = await api.startRehearsal({ name, hours, modifiers: this.modifiers });
      this.rows = [];
      this.render();
      while (this.run.state === 'running') {
        await new Promise((r) => setTimeout(r, POLL_MS));
        this.run = await api.rehearsal(this.run.id);
      }
      if (this.run.result) this.rows = peakRows(this.run.result, new Map(this.deps.stations().map((s) => [s.id, s])), this.deps.current());
      this.onMap = true;
      this.picked = this.rows[0] ? { station: this.rows[0].station, metric: this.rows[0].metric } : null;
      this.paintMap();
      this.render();
    } catch (e) {
      this.deps.toast(`${t('rehearsal', L)}: ${(e as Error).message}`, true);
      this.render();
    }
  }

  private paintMap(): void {
    const r = this.run?.result;
    this.deps.showOnMap(this.visible && this.onMap && r ? predictedColours(r, this.rows) : null);
  }

  private render(): void {
    const L = this.deps.lang();
    // what the operator has typed survives the redraw (all of it unless the modifier type changed)
    const kept = new Map([...this.el.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input[id], select[id]')].map((e) => [e.id, e.value]));
    const typeChanged = kept.has('rh-type') && kept.get('rh-type') !== this.lastType;
    this.el.innerHTML = `<header><h2>${t('rehearsal', L)}</h2><button class="x" data-act="rh-close" aria-label="close">×</button></header>
      <div class="rh-body"><div class="rh-form">${this.formHtml(L)}</div><div class="rh-result">${this.resultHtml(L)}</div></div>`;
    for (const [id, v] of kept) {
      if (typeChanged && !['rh-name', 'rh-horizon', 'rh-type'].includes(id)) continue;
      const e = this.el.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`);
      if (e && (!(e instanceof HTMLSelectElement) || [...e.options].some((o) => o.value === v))) e.value = v;
    }
    this.lastType = this.field('rh-type');
  }

  private formHtml(L: Lang): string {
    const type = (this.field('rh-type') || 'reservoir_outflow') as ModifierForm['type'];
    const stations = this.deps.stations().filter((s) => !s.synthetic);
    const choose = (id: string, items: { v: string; label: string }[]) => `<select id="${id}">${items.map((i) => `<option value="${esc(i.v)}">${esc(i.label)}</option>`).join('')}</select>`;
    const byKind = (kinds: Station['kind'][]) => stations.filter((s) => kinds.includes(s.kind)).map((s) => ({ v: s.id, label: label(s, L) })).sort((a, b) => Number(b.v === 'three-gorges') - Number(a.v === 'three-gorges'));
    const rivers = [...new Set(stations.map((s) => s.river).filter((r): r is string => !!r))].sort().map((r) => ({ v: r, label: r }));
    const what =
      type === 'reservoir_outflow'
        ? `${choose('rh-station', byKind(['reservoir']))}<label>${t('releaseFlow', L)} <input id="rh-amount" type="number" min="0" step="1000" value="45000"/> m³/s</label>`
        : type === 'rainfall'
          ? `${choose('rh-river', rivers)}<label>${t('rain', L)} <input id="rh-amount" type="number" min="1" value="100"/> mm</label>`
          : type === 'spill'
            ? `${choose('rh-station', byKind(['water_quality', 'water_intake', 'hydrology_gauge']))}${choose('rh-metric', ['nh3n', 'codmn', 'cod', 'tp'].map((m) => ({ v: m, label: L === 'zh' ? METRICS[m as 'nh3n'].nameZh : METRICS[m as 'nh3n'].nameEn })))}<label>${t('mass', L)} <input id="rh-amount" type="number" min="1" value="20000"/> kg</label>`
            : choose('rh-station', byKind(['hydrology_gauge', 'lake_gauge', 'reservoir']));
    const timing = type === 'gauge_offline' ? '' : `<label>${t('forHours', L)} <input id="rh-hours" type="number" min="1" max="240" value="24"/> h</label><label>${t('startIn', L)} <input id="rh-start" type="number" min="0" max="240" value="0"/> h</label>`;
    const list = this.modifiers.length
      ? `<ol class="rh-mods">${this.modifiers.map((m, i) => `<li>${esc(describe(m, L, stations))} <button data-act="rh-drop" data-i="${i}" aria-label="remove">×</button></li>`).join('')}</ol>`
      : `<p class="na">${t('noModifiers', L)}</p>`;
    return `<label>${t('rehearsalName', L)} <input id="rh-name" maxlength="200" placeholder="${t('rehearsal', L)}"/></label>
      <label>${t('horizon', L)} <select id="rh-horizon"><option value="24">24 h</option><option value="48">48 h</option><option value="72" selected>72 h</option></select></label>
      <div class="rh-mod"><select id="rh-type">${MODIFIER_TYPES.map((m) => `<option value="${m}" ${m === type ? 'selected' : ''}>${t(`mod_${m}`, L)}</option>`).join('')}</select>${what}${timing}
      <button data-act="rh-add">${t('addModifier', L)}</button></div>${list}
      <button class="primary" data-act="rh-run" ${this.run?.state === 'running' ? 'disabled' : ''}>${t('runRehearsal', L)}</button>`;
  }

  private resultHtml(L: Lang): string {
    const run = this.run;
    if (!run) return `<p class="na">${t('rehearsalHint', L)}</p>`;
    const head = `<div class="rh-state" data-rehearsal-state="${run.state}">#${run.id} ${esc(run.name)} · ${t(`state_${run.state}`, L)}${run.error ? ` · ${esc(run.error)}` : ''}</div>`;
    const r = run.result;
    if (!r) return head;
    const stations = this.deps.stations();
    const sname = (id: string) => nameOf(stations, id, L);
    const fresh = new Set(newAlerts(r).map((a) => `${a.ruleId}\u0000${a.subject}`));
    const opened = r.alerts.filter((a) => a.kind === 'open');
    const alerts = opened.length
      ? `<ol class="rh-alerts">${opened.map((a) => `<li data-rh-alert="${esc(a.subject)}"><span class="chip" style="background:${a.severity ? SEVERITY_COLOR[a.severity] : '#7b8794'}">${a.severity ? pick(SEVERITY_NAME[a.severity], L) : ''}</span> ${formatDateTime(a.at).slice(5, 16)} · ${esc(sname(a.subject))}${fresh.has(`${a.ruleId}\u0000${a.subject}`) ? ` <b class="new">${t('newVsBaseline', L)}</b>` : ''}<div class="msg">${esc(a.reason)}</div></li>`).join('')}</ol>`
      : `<p class="na">${t('noRehearsalAlerts', L)}</p>`;
    const fmt = (row: PeakRow, v: number | null) => (v === null ? '—' : formatValue(row.metric, v).text);
    const peaks = `<table class="rh-peaks"><thead><tr><th>${t('station', L)}</th><th>${t('metric', L)}</th><th>${t('predictedPeak', L)}</th><th>${t('baseline', L)}</th><th>${t('now', L)}</th></tr></thead><tbody>${this.rows
      .slice(0, 40)
      .map((row) => `<tr data-act="rh-pick" data-station="${esc(row.station)}" data-metric="${row.metric}" class="${this.isPicked(row) ? 'picked' : ''}"><td>${row.flood ? `<i class="dot" style="background:${SEVERITY_COLOR[row.flood]}"></i>` : ''}${esc(sname(row.station))}</td><td>${esc(L === 'zh' ? METRICS[row.metric].nameZh : METRICS[row.metric].nameEn)}</td><td>${fmt(row, row.peak)} <small>${formatDateTime(row.at).slice(5, 16)}</small></td><td>${fmt(row, row.baseline)}</td><td>${fmt(row, row.current)}</td></tr>`)
      .join('')}</tbody></table>`;
    const tasks = r.tasks.length ? `<div class="rh-tasks">${t('tasks', L)}: ${r.tasks.length}</div>` : '';
    return `${head}<div class="rh-bar"><span>${t('alertsWouldFire', L)}: ${opened.length}</span>${tasks}<button data-act="rh-map">${this.onMap ? t('showLive', L) : t('showPredicted', L)}</button></div>
      <div class="rh-chart" data-rh-chart="${esc(this.picked?.station ?? '')}">${this.chartHtml(L)}</div>${alerts}${peaks}`;
  }

  private isPicked(row: PeakRow): boolean {
    return row.station === this.picked?.station && row.metric === this.picked.metric;
  }

  private chartHtml(L: Lang): string {
    const r = this.run?.result;
    const row = this.rows.find((x) => this.isPicked(x));
    if (!r || !row) return '';
    const s = r.series.find((x) => x.station === row.station && x.metric === row.metric);
    if (!s || s.points.length < 2) return `<p class="na">${t('noSeries', L)}</p>`;
    const pts = s.points.map(([t0, v]) => ({ t: t0, v }));
    const d = domainOf(pts, pts[0]!.t, pts[pts.length - 1]!.t, row.current === null ? [] : [row.current]);
    const levels = row.current === null ? [] : [{ value: row.current, label: t('now', L), color: '#8fa9bf' }];
    return chartSvg({ points: pts, domain: d, w: 600, h: 160, levels, color: row.flood ? SEVERITY_COLOR[row.flood] : '#b48cff', axis: { left: formatDateTime(d.t0).slice(5, 16), right: formatDateTime(d.t1).slice(5, 16), top: fmtV(row, d.v1), bottom: fmtV(row, d.v0) } });
  }
}

const fmtV = (row: PeakRow, v: number) => {
  const f = formatValue(row.metric, v);
  return `${f.text} ${f.unit}`;
};

const label = (s: Station, L: Lang) => (L === 'zh' ? s.name.zh : s.name.en);

/** A station's name in the wall's language (its id when unknown). */
function nameOf(stations: readonly Station[], id: string, L: Lang): string {
  const s = stations.find((x) => x.id === id);
  return s ? label(s, L) : id;
}

function describe(m: RehearsalModifier, L: Lang, stations: readonly Station[]): string {
  const name = (id: string) => nameOf(stations, id, L);
  const when = 'hours' in m ? ` · ${m.hours} h${m.startHours ? ` +${m.startHours} h` : ''}` : '';
  if (m.type === 'reservoir_outflow') return `${t('mod_reservoir_outflow', L)} ${name(m.station)} ${m.outflow} m³/s${when}`;
  if (m.type === 'rainfall') return `${t('mod_rainfall', L)} ${m.river} ${m.mm} mm${when}`;
  if (m.type === 'spill') return `${t('mod_spill', L)} ${name(m.station)} ${m.metric} ${m.massKg} kg${when}`;
  if (m.type === 'gauge_offline') return `${t('mod_gauge_offline', L)} ${name(m.station)}`;
  return t('rehearsal', L);
}
