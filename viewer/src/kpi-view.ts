import type { ApiAlert, ApiTask, Optional } from './api';
import type { Lang } from './format';
import { SEVERITY_NAME, pick, t } from './i18n';
import type { Kpis } from './kpi';

/** The KPI tiles of the wall; a figure the server cannot give yet reads "not available". */
export function renderKpis(el: HTMLElement, k: Kpis, alerts: Optional<ApiAlert[]>, tasks: Optional<ApiTask[]>, lang: Lang): void {
  const na = `<b class="na" data-na>${t('notAvailable', lang)}</b>`;
  const tile = (id: string, label: string, value: string, extra = '', cls = '') => `<div class="kpi ${cls}" data-kpi="${id}"><span class="k" data-fit>${label}</span>${value}${extra}</div>`;
  const sev = k.alertsBySeverity;
  const alertTiles = sev
    ? `<div class="sevs">${(['red', 'orange', 'yellow', 'blue'] as const).map((s) => `<span class="sev ${s}" data-fit title="${pick(SEVERITY_NAME[s], lang)}">${sev[s]}</span>`).join('')}</div>`
    : na;
  el.innerHTML = [
    tile('online', t('online', lang), `<b data-fit>${k.online}<small>/${k.stations}</small></b>`),
    tile('above-warning', t('aboveWarning', lang), `<b data-fit class="${k.gaugesAboveWarning > 0 ? 'warn' : ''}">${k.gaugesAboveWarning}<small>/${k.gaugesWithLevels}</small></b>`),
    tile('alerts', t('activeAlerts', lang), alertTiles, '', alerts.ok ? '' : 'unavail'),
    tile('overdue', t('tasksOverdue', lang), k.tasksOverdue === null ? na : `<b data-fit class="${k.tasksOverdue > 0 ? 'warn' : ''}">${k.tasksOverdue}<small>/${k.tasksOpen}</small></b>`, '', tasks.ok ? '' : 'unavail'),
    tile('water-class', t('waterClass', lang), na, '', 'unavail'),
    tile('aqi', t('aqi', lang), na, '', 'unavail'),
  ].join('');
}
