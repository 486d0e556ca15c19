import { SEVERITY_RANK, type Alert, type DispatchTask, type Severity, type Station } from '@basin/schemas';
import { api, ApiFailure, type Optional } from './api';
import { esc, formatDateTime, type Lang } from './format';
import { SEVERITY_NAME, pick, t } from './i18n';
import { isOverdue, sortAlerts } from './kpi';

/**
 * Command and dispatch: the alert queue (by severity, with filters) with acknowledge / dispatch /
 * resolve, and the task board with deadlines and overdue marks. When the server has no alert or
 * task API yet, each pane says so instead of failing.
 */
export interface CommandDeps {
  lang: () => Lang;
  stationName: (id: string) => string;
  onSelectAlert: (a: Alert) => void;
  onChanged: () => void;
  toast: (msg: string, error?: boolean) => void;
}

export class CommandPanes {
  private filter: Severity | 'all' = 'all';
  private alerts: Optional<Alert[]> = { ok: false, missing: false, message: '' };
  private tasks: Optional<DispatchTask[]> = { ok: false, missing: false, message: '' };

  constructor(
    private readonly alertEl: HTMLElement,
    private readonly taskEl: HTMLElement,
    private readonly deps: CommandDeps,
  ) {
    alertEl.addEventListener('click', (e) => void this.onClick(e));
  }

  set(alerts: Optional<Alert[]>, tasks: Optional<DispatchTask[]>): void {
    this.alerts = alerts;
    this.tasks = tasks;
    this.render();
  }

  render(): void {
    this.renderAlerts();
    this.renderTasks();
  }

  private renderAlerts(): void {
    const L = this.deps.lang();
    const chips = (['all', 'red', 'orange', 'yellow', 'blue'] as const)
      .map((s) => `<button data-act="filter" data-s="${s}" class="chip ${s} ${this.filter === s ? 'on' : ''}">${s === 'all' ? t('all', L) : pick(SEVERITY_NAME[s], L)}</button>`)
      .join('');
    let body: string;
    if (!this.alerts.ok) body = unavailable(this.alerts, L);
    else {
      const list = sortAlerts(this.alerts.data.filter((a) => a.state !== 'resolved' && (this.filter === 'all' || a.severity === this.filter)));
      body = list.length === 0 ? `<p class="empty">${t('none', L)}</p>` : `<ol class="alerts">${list.map((a) => this.alertItem(a, L)).join('')}</ol>`;
    }
    this.alertEl.innerHTML = `<h3>${t('alerts', L)}</h3><div class="chips">${chips}</div><div class="scroll">${body}</div>`;
  }

  private alertItem(a: Alert, L: Lang): string {
    const acted = a.state === 'acknowledged';
    return `<li class="alert ${a.severity} ${a.state}" data-alert="${esc(a.id)}">
      <div class="a-head"><b class="sev">${pick(SEVERITY_NAME[a.severity], L)}</b><span class="st">${esc(this.deps.stationName(a.station))}</span><time>${formatDateTime(a.startedAt).slice(5, 16)}</time></div>
      <div class="msg">${esc(a.message)}</div>
      <div class="acts">
        <button data-act="ack" ${acted ? 'disabled' : ''}>${t('ack', L)}</button>
        <button data-act="dispatch">${t('dispatch', L)}</button>
        <input data-comment placeholder="${t('comment', L)}" aria-label="${t('comment', L)}"/>
        <button data-act="resolve">${t('resolve', L)}</button>
      </div></li>`;
  }

  private renderTasks(): void {
    const L = this.deps.lang();
    let body: string;
    if (!this.tasks.ok) body = unavailable(this.tasks, L);
    else {
      const now = Date.now();
      const open = this.tasks.data.filter((x) => x.status !== 'done' && x.status !== 'cancelled').sort((a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity));
      body =
        open.length === 0
          ? `<p class="empty">${t('none', L)}</p>`
          : `<ol class="tasks">${open
              .map((x) => {
                const late = isOverdue(x, now);
                return `<li class="task ${late ? 'overdue' : ''}" data-task="${esc(x.id)}"><div class="t-head"><b>${esc(x.title)}</b>${late ? `<span class="late">${t('overdue', L)}</span>` : ''}</div><div class="t-meta">${esc(x.assignee)} · ${esc(x.status)}${x.dueAt ? ` · ${t('due', L)} ${formatDateTime(x.dueAt).slice(5, 16)}` : ''}</div></li>`;
              })
              .join('')}</ol>`;
    }
    this.taskEl.innerHTML = `<h3>${t('tasks', L)}</h3><div class="scroll">${body}</div>`;
  }

  private async onClick(e: Event): Promise<void> {
    const el = e.target as HTMLElement;
    const b = el.closest<HTMLElement>('[data-act]');
    if (b?.dataset.act === 'filter') {
      this.filter = b.dataset.s as Severity | 'all';
      this.renderAlerts();
      return;
    }
    const li = el.closest<HTMLElement>('[data-alert]');
    if (!li || !this.alerts.ok) return;
    const alert = this.alerts.data.find((a) => a.id === li.dataset.alert);
    if (!alert) return;
    if (!b) {
      if (el.tagName !== 'INPUT') this.deps.onSelectAlert(alert);
      return;
    }
    const L = this.deps.lang();
    const comment = li.querySelector<HTMLInputElement>('[data-comment]')?.value.trim() ?? '';
    try {
      if (b.dataset.act === 'ack') await api.acknowledge(alert.id, comment || undefined);
      else if (b.dataset.act === 'dispatch') await api.dispatch(alert.id);
      else if (b.dataset.act === 'resolve') {
        if (!comment) {
          this.deps.toast(`${t('comment', L)}?`, true);
          li.querySelector<HTMLInputElement>('[data-comment]')?.focus();
          return;
        }
        await api.resolve(alert.id, comment);
      }
      this.deps.toast(`${b.textContent ?? ''} ✓`);
      this.deps.onChanged();
    } catch (err) {
      const f = err instanceof ApiFailure ? err : null;
      this.deps.toast(f && (f.status === 401 || f.status === 403) ? `${t('operatorOnly', L)} (${f.message})` : (err as Error).message, true);
    }
  }
}

function unavailable(r: { ok: false; missing: boolean; message: string }, L: Lang): string {
  return `<p class="na" data-na>${t('notAvailable', L)}${r.missing ? ` — ${t('notAvailableApi', L)}` : r.message ? ` — ${esc(r.message)}` : ''}</p>`;
}

/** Newest firing alert not seen before (for fly-to on alert), most severe first. */
export function newestUnseen(alerts: readonly Alert[], seen: ReadonlySet<string>): Alert | null {
  let best: Alert | null = null;
  for (const a of alerts) {
    if (a.state !== 'firing' || seen.has(a.id)) continue;
    if (!best || SEVERITY_RANK[a.severity] > SEVERITY_RANK[best.severity] || (a.severity === best.severity && a.startedAt > best.startedAt)) best = a;
  }
  return best;
}

export type { Station };
