import { METRICS, type LatestReading, type Station } from '@basin/schemas';
import { api } from './api';
import { byStation as groupByStation, esc, formatValue } from './format';

const KIND_ZH: Record<Station['kind'], string> = {
  hydrology_gauge: '水文站',
  reservoir: '水库',
  lake_gauge: '湖泊站',
  water_quality: '水质站',
  water_intake: '取水口',
  air_quality: '空气站',
  soil: '土壤点',
};

const $ = (id: string) => document.getElementById(id)!;
let stations: Station[] = [];

function render(latest: LatestReading[]): void {
  const byStation = groupByStation(latest);
  const newest = latest.reduce((t, r) => Math.max(t, Date.parse(r.time)), 0);
  $('summary').innerHTML = [
    ['监测站 Stations', stations.length],
    ['在报站 Reporting', byStation.size],
    ['实时指标 Live values', latest.length],
    ['最新数据 Newest', newest ? new Date(newest).toLocaleTimeString('zh-CN', { hour12: false }) : '—'],
  ]
    .map(([k, v]) => `<div class="kpi">${k}<b>${v}</b></div>`)
    .join('');
  $('stations').innerHTML = stations
    .map((s) => {
      const rows = (byStation.get(s.id) ?? [])
        .map((r) => {
          const v = formatValue(r);
          return `<tr class="${r.quality}" data-metric="${r.metric}"><td>${esc(METRICS[r.metric].nameZh)}</td><td class="v">${v.text}</td><td class="u">${esc(v.unit)}</td></tr>`;
        })
        .join('');
      return `<article class="station" data-station="${esc(s.id)}"><h2>${esc(s.name.zh)}<small>${KIND_ZH[s.kind]} · ${esc(s.id)}</small></h2>${
        rows ? `<table>${rows}</table>` : '<p class="empty">暂无数据 no data yet</p>'
      }</article>`;
    })
    .join('');
}

async function refresh(): Promise<void> {
  try {
    if (stations.length === 0) stations = await api.stations();
    const latest = await api.latest();
    render(latest);
    $('status').className = '';
    $('status').textContent = `更新于 ${new Date().toLocaleTimeString('zh-CN', { hour12: false })}`;
  } catch (e) {
    $('status').className = 'error';
    $('status').textContent = `连接失败 ${(e as Error).message}`;
  }
}

void refresh();
setInterval(() => void refresh(), 5000);
