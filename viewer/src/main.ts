import './cesium-base';
import { Cartesian3, SceneTransforms, ScreenSpaceEventType, type CesiumWidget } from 'cesium';
import { METRICS, SEVERITY_RANK, type LatestReading, type MetricCode, type Station, type StationForecast } from '@basin/schemas';
import type { AnalysisView } from './analysis';
import type { DetailTwin } from './detail-twin';
import { actionsUntil, alertsAt, replayAlerts, type ReplayAlert } from './alert-replay';
import { api, auth, type AlertEvent, type ApiAlert, type ApiTask, type Optional } from './api';
import { addBasinLayers } from './basin-layers';
import { CommandPanes, newestUnseen } from './command';
import { loadViewerConfig, screenOptions } from './config';
import { formatClock, formatDateTime, type Lang } from './format';
import { createGlobe, flyToPreset } from './globe';
import { wallScale } from './globe-math';
import { KIND_NAME, SEVERITY_NAME, pick, t } from './i18n';
import { computeKpis, statusByStation } from './kpi';
import { renderKpis } from './kpi-view';
import { StationPanel } from './panel';
import { PRESETS, type Preset } from './presets';
import { ReachLayer } from './reach-layer';
import { latestAt, primaryMetric, replaySeries, replayStep, timeAtStep, type ReplaySeries } from './replay';
import { WATER_CLASS_COLOR } from './reach-status';
import { KIND_SHAPE, shapeImage } from './station-shapes';
import { StationLayer } from './station-layer';
import { RehearsalView } from './rehearsal-view';
import { SEVERITY_COLOR, STATE_COLOR, stationColor } from './status';
import { openStream } from './stream';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const opts = screenOptions(location.search);
let lang: Lang = opts.lang;

/** Everything the wall shows, refreshed by the live loop. */
const state = {
  stations: [] as Station[],
  byId: new Map<string, Station>(),
  latest: [] as LatestReading[],
  /** The twin engine's online verdict per station (null: not available, the 15-min rule applies). */
  online: null as Map<string, boolean> | null,
  alerts: { ok: false, missing: false, message: '' } as Optional<ApiAlert[]>,
  /**
   * Timeline replay: the moment shown, the last 24 h of each station's primary series, and the
   * window's alerts with their audited changes (null: the server has no alert timeline); null when live.
   */
  replay: null as { at: number; from: number; to: number; series: ReplaySeries[]; alerts: ReplayAlert[] | null; events: AlertEvent[] } | null,
  /** Reaches coloured by live state (flood colour, water class, stale) from the twin's summary. */
  reachesColoured: 0,
  /** A rehearsal's predicted colours drawn over the live ones (null: live colours). */
  rehearsalColours: null as ReadonlyMap<string, string> | null,
  tasks: { ok: false, missing: false, message: '' } as Optional<ApiTask[]>,
  /** The API's live stream (SSE) is connected: alert and task changes show at once. */
  streaming: false,
  seenAlerts: new Set<string>(),
  connected: null as boolean | null,
  lastOk: 0,
};

declare global {
  interface Window {
    /** For tests and diagnostics: the Cesium viewer and the wall's state. */
    basin?: {
      viewer: CesiumWidget;
      state: typeof state;
      layer: StationLayer;
      reaches: ReachLayer;
      /** Boundary outlines drawn (Hubei prefectures and counties). */
      boundaries: { prefectures: number; counties: number };
      ready: boolean;
      flyTo: (id: string) => void;
      closePanel: () => void;
      /** The open detail twin (three.js), null when closed. */
      twin: () => DetailTwin | null;
      /** Page coordinates (CSS px) of a station's symbol, null when off screen. */
      screenPosition: (id: string) => { x: number; y: number } | null;
    };
  }
}

async function boot(): Promise<void> {
  document.body.classList.toggle('wall', opts.wall);
  const { config, problem } = await loadViewerConfig();
  const viewer = createGlobe($('globe'), { light: opts.light, resolutionScale: opts.resolutionScale, tiles: config.tiles });
  $('globe').append($('legend'), $('timeline'));
  let k = wallScale(opts.wall, window.innerWidth);
  const basinLayers = addBasinLayers(viewer.scene, lang, k);
  const reaches = new ReachLayer(viewer.scene, k);
  /** Station symbols a quarter larger on a wall, on top of its screen scale. */
  const stationScale = () => (opts.wall ? 1.25 : 1) * k;
  const layer = new StationLayer(viewer.scene, stationScale());
  // a wall's browser window moved or resized: the globe's sizes follow the panes
  window.addEventListener('resize', () => {
    const next = wallScale(opts.wall, window.innerWidth);
    if (next === k) return;
    k = next;
    basinLayers.setScale(k);
    reaches.setScale(k);
    layer.setScale(stationScale());
  });
  // three.js detail twin (own chunk, loaded when first opened) over the globe
  let twin: DetailTwin | null = null;
  const closeTwin = () => {
    twin?.dispose();
    twin = null;
    $('twin').hidden = true;
  };
  const openTwin = async (s: Station) => {
    const mod = await import('./detail-twin');
    closeTwin();
    const stage = state.latest.find((r) => r.station === s.id && r.metric === 'water_level')?.value ?? null;
    const el = $('twin');
    const outflow = state.latest.find((r) => r.station === s.id && r.metric === 'outflow')?.value ?? null;
    el.innerHTML = `${mod.twinHeader(s, stage, lang, outflow)}<div class="twin-view"></div>`;
    el.hidden = false;
    twin = new mod.DetailTwin(el.querySelector<HTMLElement>('.twin-view')!, () => lang);
    twin.show(s, stage, null);
    // the forecast peak over the next 72 h, when the twin has one for this gauge
    if (s.kind === 'reservoir') return;
    const fc = await api.forecast(s.id);
    const pts = fc.ok ? (fc.data.find((f) => f.station === s.id)?.series.water_level ?? []) : [];
    if (twin && pts.length > 0) twin.show(s, stage, Math.max(...pts.map((p) => p.value)));
  };
  $('twin').addEventListener('click', (e) => {
    if ((e.target as HTMLElement).closest('[data-act="close-twin"]')) closeTwin();
  });
  const panel = new StationPanel($('panel'), () => lang, closeTwin, (s) => void openTwin(s));
  const command = new CommandPanes($('alerts'), $('tasks'), {
    lang: () => lang,
    stationName: (id) => {
      const s = state.byId.get(id);
      return s ? (lang === 'zh' ? s.name.zh : s.name.en) : id;
    },
    station: (id) => state.byId.get(id),
    onSelectAlert: (a) => {
      if (a.station) flyTo(a.station);
    },
    onChanged: () => void refresh(),
    toast,
  });
  window.basin = {
    viewer,
    state,
    layer,
    reaches,
    boundaries: basinLayers.boundaries,
    ready: false,
    flyTo: (id) => flyTo(id),
    closePanel: () => panel.close(),
    twin: () => twin,
    screenPosition: (id) => {
      const s = state.byId.get(id);
      if (!s) return null;
      const p = SceneTransforms.worldToWindowCoordinates(viewer.scene, Cartesian3.fromDegrees(s.location.lon, s.location.lat, 0));
      if (!p) return null;
      const r = viewer.canvas.getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
  };
  if (problem) toast(problem, true);

  /** The camera to a station (the tour paused); the station, or undefined for an unknown id. */
  function flyToStation(stationId: string, height: number, pitch: number): Station | undefined {
    const s = state.byId.get(stationId);
    if (!s) return undefined;
    pauseTour();
    flyToPreset(viewer, { id: s.id, zh: s.name.zh, en: s.name.en, lon: s.location.lon, lat: s.location.lat, height, pitch });
    return s;
  }

  function flyTo(stationId: string): void {
    const s = flyToStation(stationId, 90_000, -55);
    if (s) panel.open(s, state.latest);
  }

  // picking
  viewer.screenSpaceEventHandler.setInputAction((e: { position: { x: number; y: number } }) => {
    const id = layer.pick(e.position.x, e.position.y);
    const s = id ? state.byId.get(id) : undefined;
    if (s) {
      pauseTour();
      panel.open(s, state.latest);
    }
  }, ScreenSpaceEventType.LEFT_CLICK);

  // camera presets and tour
  let tourIdx = 0;
  let tourPausedUntil = 0;
  let tourOn = opts.tour;
  const pauseTour = () => (tourPausedUntil = Date.now() + 90_000);
  function renderPresets(): void {
    $('presets').innerHTML =
      PRESETS.map((p) => `<button data-preset="${p.id}" data-fit>${lang === 'zh' ? p.zh : p.en}</button>`).join('') +
      `<button data-tour class="${tourOn ? 'on' : ''}" data-fit>${t('tour', lang)}</button>`;
  }
  $('presets').addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLElement>('button');
    if (!b) return;
    if (b.hasAttribute('data-tour')) {
      tourOn = !tourOn;
      renderPresets();
      return;
    }
    const p = PRESETS.find((x) => x.id === b.dataset.preset);
    if (p) {
      pauseTour();
      flyToPreset(viewer, p);
    }
  });
  setInterval(() => {
    if (!tourOn || Date.now() < tourPausedUntil) return;
    tourIdx = (tourIdx + 1) % PRESETS.length;
    flyToPreset(viewer, PRESETS[tourIdx] as Preset, 4);
  }, config.tourSeconds * 1000);
  flyToPreset(viewer, PRESETS[0]!, 0);

  // 预演 rehearsal pane: predicted colours on the map while it is open
  const rehearsal = new RehearsalView($('rehearsal'), {
    stations: () => state.stations,
    current: () => new Map(state.latest.map((r) => [`${r.station}\u0000${r.metric}`, r.value])),
    showOnMap: (colours) => {
      state.rehearsalColours = colours;
      render();
    },
    flyTo: (id) => void flyToStation(id, 250_000, -60),
    toast,
    lang: () => lang,
  });
  $('rehearse-btn').addEventListener('click', () => (rehearsal.visible ? rehearsal.close() : rehearsal.open()));

  // deck.gl analysis view (own chunk, loaded when first opened)
  let analysis: AnalysisView | null = null;
  const showAnalysis = async () => {
    const mod = await import('./analysis');
    if (!analysis) {
      analysis = new mod.AnalysisView($('analysis'));
      const sel = $<HTMLSelectElement>('analysis-metric');
      sel.addEventListener('change', () => {
        if (analysis) analysis.metric = sel.value as MetricCode;
        drawAnalysis();
      });
    }
    $<HTMLSelectElement>('analysis-metric').innerHTML = mod.ANALYSIS_METRICS.map((m) => `<option value="${m}" ${m === analysis!.metric ? 'selected' : ''}>${lang === 'zh' ? METRICS[m].nameZh : METRICS[m].nameEn}</option>`).join('');
    $('analysis').querySelector('[data-t="metric"]')!.textContent = t('metric', lang);
    const f = await api.forecasts();
    forecasts = f.ok ? f.data : [];
    drawAnalysis();
  };
  /** The newest flood forecasts the analysis view draws as a wave (fetched when it opens). */
  let forecasts: StationForecast[] = [];
  const drawAnalysis = () => {
    if (!analysis) return;
    analysis.show({ stations: state.stations, latest: state.latest, tasks: state.tasks.ok ? state.tasks.data : null, forecasts, now: Date.now(), lang });
    $('analysis-note').textContent = `${t('analysisNote', lang)} · ${analysis.waveCount > 0 ? `${t('waveGauges', lang)} ${analysis.waveCount}` : t('noFloodForecast', lang)}`;
  };
  $('analysis-btn').addEventListener('click', () => {
    if (analysis?.visible) analysis.hide();
    else void showAnalysis();
    renderChrome();
  });

  // language, wall mode, sign-in
  function renderChrome(): void {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    $('title').textContent = t('title', lang);
    $('lang-btn').textContent = lang === 'zh' ? 'EN' : '中文';
    $('analysis-btn').textContent = analysis?.visible ? t('globe', lang) : t('analysis', lang);
    $('rehearse-btn').textContent = t('rehearsal', lang);
    $('wall-btn').textContent = opts.wall ? t('desk', lang) : t('wall', lang);
    $('key-btn').textContent = auth.key ? t('signOut', lang) : t('signIn', lang);
    $('replay-btn').textContent = state.replay ? t('live', lang) : t('replay', lang);
    renderPresets();
    renderLegend();
    renderConn();
  }
  $('lang-btn').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    basinLayers.setLang(lang);
    renderChrome();
    render();
    panel.rerender();
    rehearsal.rerender();
    if (analysis?.visible) void showAnalysis();
  });
  $('wall-btn').addEventListener('click', () => {
    const q = new URLSearchParams(location.search);
    if (opts.wall) q.delete('wall');
    else q.set('wall', '1');
    location.search = q.toString();
  });
  $('key-btn').addEventListener('click', () => {
    if (auth.key) auth.set(null);
    else auth.set(prompt(t('apiKey', lang))?.trim() || null);
    renderChrome();
    void refresh();
  });

  function renderLegend(): void {
    const kinds = (Object.keys(KIND_SHAPE) as (keyof typeof KIND_SHAPE)[]).map((k) => `<span><img src="${shapeImage(KIND_SHAPE[k])}" alt=""/>${pick(KIND_NAME[k], lang)}</span>`);
    const colors = [
      [STATE_COLOR.live, t('live', lang)],
      [STATE_COLOR.stale, t('stale', lang)],
      ...(['blue', 'yellow', 'orange', 'red'] as const).map((s) => [SEVERITY_COLOR[s], pick(SEVERITY_NAME[s], lang)]),
    ].map(([c, n]) => `<span><i style="background:${c}"></i>${n}</span>`);
    const classes = (['II', 'III', 'IV', 'V', 'worse_than_V'] as const).map((c) => `<span><i class="bar" style="background:${WATER_CLASS_COLOR[c]}"></i>${c === 'II' ? 'I–II' : c === 'worse_than_V' ? (lang === 'zh' ? '劣V' : '>V') : c}</span>`);
    $('legend').innerHTML = `${kinds.join('')}<br/>${colors.join('')}<br/>${t('reachLegend', lang)} ${classes.join('')}`;
  }

  function renderConn(): void {
    const el = $('conn');
    if (state.replay) {
      el.className = 'replay';
      el.textContent = `⏪ ${t('replay', lang)} · ${formatDateTime(state.replay.at).slice(5, 16)}`;
      return;
    }
    el.className = state.connected === false ? 'lost' : state.connected ? 'ok' : '';
    el.textContent =
      state.connected === false ? t('lost', lang) : state.connected ? `● ${t('live', lang)} · ${t('updated', lang)} ${formatClock(state.lastOk, undefined, true)}` : t('connecting', lang);
  }

  function render(): void {
    const replay = state.replay;
    const now = replay ? replay.at : Date.now();
    // live: the API's online / offline state; replay: the readings' age at that moment
    const status = replay ? statusByStation(state.stations, latestAt(replay.series, now), now) : statusByStation(state.stations, state.latest, now, state.online);
    // replay: the alerts open at that moment with the severity and state they had then
    const alerts: Optional<ApiAlert[]> = !replay ? state.alerts : replay.alerts ? { ok: true, data: alertsAt(replay.alerts, now) } : { ok: false, missing: true, message: '' };
    const alertByStation = new Map<string, ApiAlert['severity']>();
    const firing = new Set<string>();
    if (alerts.ok)
      for (const a of alerts.data) {
        if (a.state === 'resolved' || !a.station) continue;
        const prev = alertByStation.get(a.station);
        if (!prev || SEVERITY_RANK[a.severity] > SEVERITY_RANK[prev]) alertByStation.set(a.station, a.severity);
        if (a.state === 'firing') firing.add(a.station);
      }
    for (const s of state.stations) {
      const st = status.get(s.id)!;
      layer.setColor(s.id, state.rehearsalColours?.get(s.id) ?? stationColor(st, alertByStation.get(s.id) ?? null));
      if (!s.synthetic) layer.setLabel(s.id, lang === 'zh' ? s.name.zh : s.name.en);
    }
    layer.setPulsing(firing);
    const k = computeKpis(state.stations, status, alerts.ok ? alerts.data : null, state.tasks.ok ? state.tasks.data : null, now);
    renderKpis($('kpis'), k, alerts, state.tasks, lang);
    command.set(alerts, state.tasks, replay ? actionsUntil(replay.events, now) : null);
    panel.update(state.latest);
    if (analysis?.visible) drawAnalysis();
  }

  async function refresh(): Promise<void> {
    try {
      if (state.stations.length === 0) {
        state.stations = await api.stations();
        state.byId = new Map(state.stations.map((s) => [s.id, s]));
        layer.setStations(
          state.stations.map((s) => ({ id: s.id, kind: s.kind, lon: s.location.lon, lat: s.location.lat, label: s.synthetic ? undefined : lang === 'zh' ? s.name.zh : s.name.en })),
        );
      }
      if (reaches.size === 0) {
        const r = await api.reaches();
        if (r.ok) reaches.setReaches(r.data);
      }
      const [latest, alerts, tasks, summary, live] = await Promise.all([api.latest(), api.alerts(), api.tasks(), api.summary(), api.liveState()]);
      if (summary.ok) state.reachesColoured = reaches.setStatus(summary.data.reaches);
      state.latest = latest;
      state.online = live.ok ? new Map(live.data.map((s) => [s.station, s.online])) : null;
      state.alerts = alerts;
      state.tasks = tasks;
      state.connected = true;
      state.lastOk = Date.now();
      if (alerts.ok) {
        const fresh = state.seenAlerts.size > 0 || alerts.data.length > 0 ? newestUnseen(alerts.data, state.seenAlerts) : null;
        const first = state.seenAlerts.size === 0;
        for (const a of alerts.data) state.seenAlerts.add(a.id);
        if (fresh?.station && !first) flyTo(fresh.station); // fly to an alert that arrived while watching
      }
      render();
    } catch {
      state.connected = false;
    }
    renderConn();
  }

  // timeline replay of the last 24 h (station colours and KPIs from the readings series; alerts and
  // operators' actions from the alert timeline)
  const STEPS = 1440;
  const range = $<HTMLInputElement>('replay-range');
  const showReplayAt = () => {
    $('replay-at').textContent = state.replay ? formatDateTime(state.replay.at).slice(5, 16) : '';
    render();
    renderConn();
  };
  $('replay-btn').addEventListener('click', () => void toggleReplay());
  range.addEventListener('input', () => {
    if (!state.replay) return;
    state.replay.at = timeAtStep(state.replay.from, state.replay.to, Number(range.value), STEPS);
    showReplayAt();
  });
  async function toggleReplay(): Promise<void> {
    const btn = $('replay-btn');
    if (state.replay) {
      state.replay = null;
      range.hidden = true;
      $('timeline').classList.remove('on');
      btn.textContent = t('replay', lang);
      showReplayAt();
      return;
    }
    btn.textContent = t('connecting', lang);
    const to = Date.now();
    const from = to - 86_400_000;
    // one request for the whole window: each station's primary metric, at most one reading per step
    const metrics = [...new Set(state.stations.map(primaryMetric).filter((m) => m !== null))];
    // and one for the window's alerts with their changes (severity, lifecycle, comments)
    const [answer, timeline] = await Promise.all([
      api.window(metrics, from, to, replayStep(to - from, state.stations.length)).catch((e: unknown) => {
        toast(`${t('replay', lang)}: ${(e as Error).message}`, true);
        return null;
      }),
      api.alertTimeline(from, to),
    ]);
    if (!answer) {
      btn.textContent = t('replay', lang);
      return;
    }
    if (answer.truncated) toast(`${t('replay', lang)}: ${t('replayTruncated', lang)}`, true);
    else if (!timeline.ok) toast(`${t('replay', lang)}: ${timeline.missing ? t('replayNoAlerts', lang) : timeline.message}`, true);
    else if (timeline.data.truncated) toast(`${t('replay', lang)}: ${t('replayAlertsTruncated', lang)}`, true);
    const alerts = timeline.ok ? replayAlerts(timeline.data.alerts, timeline.data.events) : null;
    state.replay = { at: to, from, to, series: replaySeries(state.stations, answer), alerts, events: timeline.ok ? timeline.data.events : [] };
    range.max = String(STEPS);
    range.value = String(STEPS);
    range.hidden = false;
    $('timeline').classList.add('on');
    btn.textContent = t('live', lang);
    showReplayAt();
  }

  renderChrome();
  await refresh();
  window.basin.ready = true;
  // Live: the API's event stream (SSE) triggers a refresh on every change; without it (older
  // servers) the wall polls. A lost connection is shown and retried with backoff until it recovers.
  let pending: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    if (!pending) pending = setTimeout(() => ((pending = undefined), void refresh()), 250);
  };
  openStream('api/stream?topics=reading,alert,task,state,station', {
    onEvent: soon,
    onOpen: () => {
      state.streaming = true;
      soon();
    },
    onClosed: () => (state.streaming = false),
  }, async () => (auth.key ? (await api.streamTicket()).ticket : null));
  let delay = config.pollSeconds * 1000;
  const loop = async () => {
    await refresh(); // readings may not be on the stream: polling stays the floor
    delay = state.connected ? config.pollSeconds * 1000 : Math.min(delay * 2, 30_000);
    setTimeout(() => void loop(), delay);
  };
  setTimeout(() => void loop(), delay);
  // The open station panel follows its station every second (one small query).
  setInterval(() => {
    const open = panel.station;
    if (!open || document.hidden) return;
    void api
      .latest(open.id)
      .then((rows) => {
        if (panel.station?.id !== open.id) return;
        state.latest = [...state.latest.filter((r) => r.station !== open.id), ...rows];
        panel.update(state.latest);
      })
      .catch(() => undefined);
  }, 1000);
  setInterval(() => {
    $('clock').textContent = `${t('cst', lang)} ${formatClock(Date.now(), undefined, true)}`;
  }, 1000);
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function toast(msg: string, error = false): void {
  const el = $('toast');
  el.textContent = msg;
  el.className = error ? 'error' : '';
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 6000);
}

void boot().catch((e: unknown) => {
  toast(`viewer: ${(e as Error).message}`, true);
  console.error(e);
});
