import { SEVERITY_RANK, type Severity } from '@basin/schemas';
import { api, ApiFailure, type ApiAlert, type ApiTask, type Optional } from './api';
import { esc, formatDateTime, type Lang } from './format';
import { SEVERITY_NAME, pick, t } from './i18n';
import { isOpenTask, isOverdue, sortAlerts } from './kpi';

/**
 * Command and dispatch: the alert queue (by severity, with filters) with acknowledge / dispatch /
 * resolve, and the task board with deadlines and overdue marks. When the server has no alert or
 * task API yet, each pane says so instead of failing.
 */
export interface CommandDeps {
  lang: () => Lang;
  stationName: (id: string) => string;
  onSelectAlert: (a: ApiAlert) => void;
  onChanged: () => void;
  toast: (msg: string, error?: boolean) => void;
}

const STATE_NAME = {
  firing: ['未确认', 'firing'],
  acknowledged: ['已确认', 'acknowledged'],
  dispatched: ['已派发', 'dispatched'],
  resolved: ['已解除', 'resolved'],
} as const;
const TASK_STATE_NAME = {
  open: ['待接收', 'open'],
  accepted: ['处置中', 'accepted'],
  overdue: ['已超期', 'overdue'],
  done: ['已完成', 'done'],
  cancelled: ['已取消', 'cancelled'],
} as const;

export class CommandPanes {
  private filter: Severity | 'all' = 'all';
  private alerts: Optional<ApiAlert[]> = { ok: false, missing: false, message: '' };
  private tasks: Optional<ApiTask[]> = { ok: false, missing: false, message: '' };
  private busy = false;

  constructor(
    private readonly alertEl: HTMLElement,
    private readonly taskEl: HTMLElement,
    private readonly deps: CommandDeps,
  ) {
    alertEl.addEventListener('click', (e) => void this.onClick(e));
  }

  set(alerts: Optional<ApiAlert[]>, tasks: Optional<ApiTask[]>): void {
    this.alerts = alerts;
    this.tasks = tasks;
    // never re-render under an operator typing a comment
    const typing = document.activeElement instanceof HTMLInputElement && this.alertEl.contains(document.activeElement);
    if (!typing && !this.busy) this.renderAlerts();
    this.renderTasks();
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

  private alertItem(a: ApiAlert, L: Lang): string {
    const where = a.station ? this.deps.stationName(a.station) : '';
    return `<li class="alert ${a.severity} ${a.state}" data-alert="${esc(a.id)}">
      <div class="a-head"><b class="sev">${pick(SEVERITY_NAME[a.severity], L)}</b><span class="st">${esc(where || a.title)}</span><span class="state">${pick(STATE_NAME[a.state], L)}</span><time>${formatDateTime(a.openedAt).slice(5, 16)}</time></div>
      <div class="msg">${esc(a.message ?? a.title)}</div>
      <div class="acts">
        <button data-act="ack" ${a.state !== 'firing' ? 'disabled' : ''}>${t('ack', L)}</button>
        <button data-act="dispatch" ${a.state === 'dispatched' ? 'disabled' : ''}>${t('dispatch', L)}</button>
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
      const open = this.tasks.data.filter(isOpenTask).sort((a, b) => (a.deadline ? Date.parse(a.deadline) : Infinity) - (b.deadline ? Date.parse(b.deadline) : Infinity));
      body =
        open.length === 0
          ? `<p class="empty">${t('none', L)}</p>`
          : `<ol class="tasks">${open
              .map((x) => {
                const late = isOverdue(x, now);
                const where = x.station ? this.deps.stationName(x.station) : (x.location ?? '');
                return `<li class="task ${late ? 'overdue' : ''}" data-task="${esc(x.id)}"><div class="t-head"><b>${esc(x.action)}</b>${late ? `<span class="late">${t('overdue', L)}</span>` : ''}</div><div class="t-meta">${esc(x.team)}${where ? ` · ${esc(where)}` : ''} · ${pick(TASK_STATE_NAME[x.state], L)}${x.deadline ? ` · ${t('due', L)} ${formatDateTime(x.deadline).slice(5, 16)}` : ''}</div></li>`;
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
    const input = li.querySelector<HTMLInputElement>('[data-comment]');
    const comment = input?.value.trim() ?? '';
    if (b.dataset.act === 'resolve' && !comment) {
      this.deps.toast(`${t('resolve', L)}: ${t('comment', L)}?`, true);
      input?.focus();
      return;
    }
    this.busy = true;
    try {
      if (b.dataset.act === 'ack') await api.acknowledge(alert.id, comment || undefined);
      else if (b.dataset.act === 'dispatch') await api.dispatch(alert.id, comment || undefined);
      else if (b.dataset.act === 'resolve') await api.resolve(alert.id, comment);
      this.deps.toast(`${b.textContent ?? ''} ✓`);
      (document.activeElement as HTMLElement | null)?.blur();
    } catch (err) {
      const f = err instanceof ApiFailure ? err : null;
      this.deps.toast(f && (f.status === 401 || f.status === 403) ? `${t('operatorOnly', L)} (${f.message})` : (err as Error).message, true);
    } finally {
      this.busy = false;
      this.deps.onChanged();
    }
  }
}

function unavailable(r: { ok: false; missing: boolean; message: string }, L: Lang): string {
  return `<p class="na" data-na>${t('notAvailable', L)}${r.missing ? ` — ${t('notAvailableApi', L)}` : r.message ? ` — ${esc(r.message)}` : ''}</p>`;
}

/** Most severe (then newest) firing alert not seen before: the camera flies to it. */
export function newestUnseen<A extends Pick<ApiAlert, 'id' | 'state' | 'severity' | 'openedAt'>>(alerts: readonly A[], seen: ReadonlySet<string>): A | null {
  let best: A | null = null;
  for (const a of alerts) {
    if (a.state !== 'firing' || seen.has(a.id)) continue;
    if (!best || SEVERITY_RANK[a.severity] > SEVERITY_RANK[best.severity] || (a.severity === best.severity && a.openedAt > best.openedAt)) best = a;
  }
  return best;
}
