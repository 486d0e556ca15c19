import { METRICS, type MetricCode } from '@basin/schemas';

/** Escape text for insertion into HTML. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Units as people write them; the catalogue keeps UCUM / SenML codes for machines. */
const UNIT_DISPLAY: Readonly<Record<string, string>> = {
  Cel: '°C',
  'ug/m3': 'µg/m³',
  'mg/m3': 'mg/m³',
  'm3/s': 'm³/s',
  'uS/cm': 'µS/cm',
  '[pH]': '',
  '[NTU]': 'NTU',
  '%RH': '%',
};

export function displayUnit(ucum: string): string {
  return UNIT_DISPLAY[ucum] ?? ucum;
}

/** A value at its metric's display precision with the unit people write. */
export function formatValue(metric: MetricCode, value: number): { text: string; unit: string } {
  const m = METRICS[metric];
  const text = Number.isFinite(value) ? value.toFixed(m.precision) : '—';
  return { text: text === `-${(0).toFixed(m.precision)}` ? text.slice(1) : text, unit: displayUnit(m.unit) };
}

export type Lang = 'zh' | 'en';
export const CST = 'Asia/Shanghai';

const dtf = new Map<string, Intl.DateTimeFormat>();
function fmt(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = dtf.get(key);
  if (!f) dtf.set(key, (f = make()));
  return f;
}

function parts(t: number, timeZone: string): Record<string, string> {
  const f = fmt(`p|${timeZone}`, () => new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }));
  return Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
}

/** `2026-12-01 18:05:09` in China Standard Time (or the given zone). */
export function formatDateTime(t: number | string, timeZone = CST): string {
  const p = parts(typeof t === 'string' ? Date.parse(t) : t, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** `18:05` in China Standard Time (or the given zone). */
export function formatClock(t: number | string, timeZone = CST, seconds = false): string {
  const p = parts(typeof t === 'string' ? Date.parse(t) : t, timeZone);
  return seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
}

/** How old a reading is, the way an operator says it. */
export function formatAge(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [n, zh, en] =
    s < 60 ? [s, '秒前', 's ago'] : s < 3600 ? [Math.floor(s / 60), '分钟前', 'min ago'] : s < 86_400 ? [Math.floor(s / 3600), '小时前', 'h ago'] : [Math.floor(s / 86_400), '天前', 'd ago'];
  return lang === 'zh' ? `${n}${zh}` : `${n} ${en}`;
}

/**
 * One language of a text the engine stores in both (`中文 / English`, as plan tasks are written);
 * any other text as it is.
 */
export function inLang(text: string, lang: Lang): string {
  const i = text.indexOf(' / ');
  if (i <= 0 || !/[\u3400-\u9fff]/.test(text.slice(0, i)) || /[\u3400-\u9fff]/.test(text.slice(i + 3))) return text;
  return lang === 'zh' ? text.slice(0, i) : text.slice(i + 3);
}
