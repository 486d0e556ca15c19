import { SEVERITY_RANK, type Severity, type Station, type StoredPlan } from '@basin/schemas';
import type { OperatorAction } from './alert-replay';
import { api, ApiFailure, type ApiAlert, type ApiTask, type Optional } from './api';
import { esc, formatDateTime, inLang, type Lang } from './format';
import { SEVERITY_NAME, pick, t } from './i18n';
import { isOpenTask, isOverdue, sortAlerts } from './kpi';
import { plansForAlert, taskFromPlan, tasksOfPlanTask } from './plan-match';

/**
 * Command and dispatch: the alert queue (by severity, with filters) with acknowledge / dispatch /
 * resolve, and the task board with deadlines and overdue marks. Opening an alert shows the 预案
 * plans it matches with their tasks (those the alert already has, with their state): the operator
 * ticks plan tasks and dispatches them. When the server has no alert or task API yet, each pane
 * says so instead of failing. In the timeline replay the queue shows the alerts open at the replayed
 * moment (read-only) and the task board gives way to the operators' actions up to it.
 */
export interface CommandDeps {
  lang: () => Lang;
  stationName: (id: string) => string;
  station: (id: string) => Station | undefined;
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
const ACTION_NAME = {
  acknowledge: ['确认', 'acknowledged'],
  dispatch: ['派发', 'dispatched'],
  resolve: ['解除', 'resolved'],
  comment: ['批注', 'commented'],
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
  /** The operators' actions up to the replayed moment; null when live. */
  private replay: OperatorAction[] | null = null;
  /** The alert whose plan is shown, the plans (loaded when first needed) and the ticked plan tasks. */
  private openId: string | null = null;
  private plans: Optional<StoredPlan[]> | null = null;
  private picked = new Map<string, Set<string>>();

  constructor(
    private readonly alertEl: HTMLElement,
    private readonly taskEl: HTMLElement,
    private readonly deps: CommandDeps,
  ) {
    alertEl.addEventListener('click', (e) => void this.onClick(e));
    alertEl.addEventListener('change', (e) => this.onPick(e));
  }

  set(alerts: Optional<ApiAlert[]>, tasks: Optional<ApiTask[]>, replay: OperatorAction[] | null = null): void {
    this.alerts = alerts;
    this.tasks = tasks;
    if (replay && !this.replay) this.openId = null;
    this.replay = replay;
    // never re-render under an operator typing a comment
    const typing = document.activeElement instanceof HTMLInputElement && document.activeElement.type === 'text' && this.alertEl.contains(document.activeElement);
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
    paint(this.alertEl, `<h3>${t('alerts', L)}</h3><div class="chips">${chips}</div><div class="scroll">${body}</div>`);
  }

  private alertItem(a: ApiAlert, L: Lang): string {
    const where = a.station ? this.deps.stationName(a.station) : '';
    const open = this.openId === a.id;
    if (this.replay) return `<li class="alert ${a.severity} ${a.state}" data-alert="${esc(a.id)}"><div class="a-head"><b class="sev">${pick(SEVERITY_NAME[a.severity], L)}</b><span class="st">${esc(where || a.title)}</span><span class="state">${pick(STATE_NAME[a.state], L)}</span><time>${formatDateTime(a.openedAt).slice(5, 16)}</time></div><div class="msg">${esc(a.message ?? a.title)}</div></li>`;
    return `<li class="alert ${a.severity} ${a.state}${open ? ' open' : ''}" data-alert="${esc(a.id)}" aria-expanded="${open}">
      <div class="a-head"><b class="sev">${pick(SEVERITY_NAME[a.severity], L)}</b><span class="st">${esc(where || a.title)}</span><span class="state">${pick(STATE_NAME[a.state], L)}</span><time>${formatDateTime(a.openedAt).slice(5, 16)}</time></div>
      <div class="msg">${esc(a.message ?? a.title)}</div>
      <div class="acts">
        <button data-act="ack" ${a.state !== 'firing' ? 'disabled' : ''}>${t('ack', L)}</button>
        <button data-act="plan" class="${open ? 'on' : ''}">${t('dispatch', L)}…</button>
        <input data-comment placeholder="${t('comment', L)}" aria-label="${t('comment', L)}"/>
        <button data-act="resolve">${t('resolve', L)}</button>
      </div>${open ? this.planSection(a, L) : ''}</li>`;
  }

  /** The matching plans' tasks to tick, the alert's tasks, and the dispatch button. */
  private planSection(a: ApiAlert, L: Lang): string {
    const picked = this.picked.get(a.id) ?? new Set<string>();
    const tasks = this.tasks.ok ? this.tasks.data : [];
    let plans: string;
    if (this.plans === null) plans = `<p class="empty">${t('connecting', L)}</p>`;
    else if (!this.plans.ok) plans = unavailable(this.plans, L);
    else {
      const st = a.station ? (this.deps.station(a.station) ?? null) : null;
      const match = plansForAlert(this.plans.data, a, st);
      plans =
        match.length === 0
          ? `<p class="empty">${t('noPlan', L)}</p>`
          : match
              .map(({ plan }) => {
                const rows = plan.tasks.map((pt) => {
                  const id = `${plan.id}/${pt.key}`;
                  const had = tasksOfPlanTask(pt, a.id, tasks);
                  const made = had.length ? `<span class="made">${had.map((x) => pick(TASK_STATE_NAME[x.state], L)).join(' · ')}</span>` : '';
                  return `<label class="ptask" data-ptask="${esc(id)}"><input type="checkbox" data-pick="${esc(id)}" ${picked.has(id) ? 'checked' : ''}/><span><b>${esc(pick([pt.team.zh, pt.team.en], L))}</b> ${esc(pick([pt.action.zh, pt.action.en], L))} <small>${pt.deadlineMinutes} ${t('minutes', L)}</small></span>${made}</label>`;
                });
                return `<div class="plan-name">${t('plan', L)} · ${esc(pick([plan.name.zh, plan.name.en], L))}</div>${rows.join('')}`;
              })
              .join('');
    }
    const mine = tasks.filter((x) => x.alertId !== null && String(x.alertId) === a.id);
    const list = mine.length ? `<div class="plan-name">${t('alertTasks', L)} (${mine.length})</div><ul class="atasks">${mine.map((x) => `<li data-task="${esc(x.id)}">${esc(inLang(x.team, L))} · ${pick(TASK_STATE_NAME[x.state], L)}</li>`).join('')}</ul>` : '';
    const n = picked.size;
    return `<div class="plan">${plans}${list}<button data-act="dispatch" class="go" ${n === 0 && a.state === 'dispatched' ? 'disabled' : ''}>${n ? `${t('dispatchPicked', L)} (${n})` : t('dispatch', L)}</button></div>`;
  }

  private onPick(e: Event): void {
    const box = e.target as HTMLInputElement;
    const id = box.dataset.pick;
    const li = box.closest<HTMLElement>('[data-alert]');
    if (!id || !li) return;
    const alertId = li.dataset.alert!;
    const set = this.picked.get(alertId) ?? new Set<string>();
    if (box.checked) set.add(id);
    else set.delete(id);
    this.picked.set(alertId, set);
    this.renderAlerts();
  }

  private async openPlan(a: ApiAlert): Promise<void> {
    this.openId = this.openId === a.id ? null : a.id;
    this.renderAlerts();
    if (this.openId && (this.plans === null || !this.plans.ok)) {
      this.plans = await api.plans();
      this.renderAlerts();
    }
  }

  /** Creates the ticked plan tasks for the alert, then marks it dispatched (if it is not yet). */
  private async dispatch(a: ApiAlert, comment: string | undefined): Promise<number> {
    const ids = this.picked.get(a.id) ?? new Set<string>();
    const plans = this.plans?.ok ? this.plans.data : [];
    let made = 0;
    for (const id of ids) {
      const [planId, key] = id.split('/');
      const pt = plans.find((p) => p.plan.id === planId)?.plan.tasks.find((x) => x.key === key);
      if (!pt) continue;
      await api.createTask(a.id, taskFromPlan(pt, a.station, Date.now()));
      ids.delete(id);
      made++;
    }
    if (a.state !== 'dispatched') await api.dispatch(a.id, comment);
    return made;
  }

  private renderTasks(): void {
    const L = this.deps.lang();
    if (this.replay) return this.renderActions(this.replay, L);
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
                return `<li class="task ${late ? 'overdue' : ''}" data-task="${esc(x.id)}"><div class="t-head"><b title="${esc(inLang(x.action, L))}">${esc(inLang(x.action, L))}</b>${late ? `<span class="late">${t('overdue', L)}</span>` : ''}</div><div class="t-meta">${esc(inLang(x.team, L))}${where ? ` · ${esc(where)}` : ''} · ${pick(TASK_STATE_NAME[x.state], L)}${x.deadline ? ` · ${t('due', L)} ${formatDateTime(x.deadline).slice(5, 16)}` : ''}</div></li>`;
              })
              .join('')}</ol>`;
    }
    paint(this.taskEl, `<h3>${t('tasks', L)}</h3><div class="scroll">${body}</div>`);
  }

  /** The operators' actions up to the replayed moment, newest first: what, on which alert, who, when. */
  private renderActions(actions: readonly OperatorAction[], L: Lang): void {
    const shown = actions.slice(0, 200);
    const body =
      shown.length === 0
        ? `<p class="empty">${t('none', L)}</p>`
        : `<ol class="tasks actions">${shown
            .map((x) => `<li class="task action ${x.action}" data-action-alert="${esc(x.alertId)}"><div class="t-head"><b>${pick(ACTION_NAME[x.action], L)} · #${esc(x.alertId)}</b><time>${formatDateTime(x.at).slice(5, 16)}</time></div><div class="t-meta">${esc(x.actor)}${x.text ? ` · ${esc(x.text)}` : ''}</div></li>`)
            .join('')}</ol>`;
    paint(this.taskEl, `<h3>${t('operatorActions', L)}</h3><div class="scroll">${body}</div>`);
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
    if (this.replay) {
      this.deps.onSelectAlert(alert);
      return;
    }
    if (!b) {
      if (el.tagName !== 'INPUT' && !el.closest('label')) {
        this.deps.onSelectAlert(alert);
        if (this.openId !== alert.id) await this.openPlan(alert);
      }
      return;
    }
    if (b.dataset.act === 'plan') {
      await this.openPlan(alert);
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
      else if (b.dataset.act === 'dispatch') {
        const made = await this.dispatch(alert, comment || undefined);
        this.deps.toast(`${t('dispatch', L)} ✓${made ? ` · ${t('tasks', L)} +${made}` : ''}`);
      } else if (b.dataset.act === 'resolve') await api.resolve(alert.id, comment);
      if (b.dataset.act !== 'dispatch') this.deps.toast(`${b.textContent ?? ''} ✓`);
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

/**
 * Replaces the pane's content only when it changed: the wall refreshes several times a second
 * while readings stream in, and a pane rebuilt under the pointer swallows the operator's click.
 */
const painted = new WeakMap<HTMLElement, string>();
function paint(el: HTMLElement, html: string): void {
  if (painted.get(el) === html) return;
  painted.set(el, html);
  const scroll = el.querySelector('.scroll')?.scrollTop ?? 0;
  el.innerHTML = html;
  const box = el.querySelector('.scroll');
  if (box) box.scrollTop = scroll;
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
