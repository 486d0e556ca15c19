import { Severity } from '@basin/schemas';
import type { ApiAlert, AlertEvent } from './api';

/**
 * Alerts in the timeline replay (pure): the alerts open at a past moment with the severity and
 * state they had then, and the operators' actions up to it, from the alerts of the window and
 * their audited transitions (`GET /api/alerts/timeline`).
 */
export type AlertState = ApiAlert['state'];

/** An alert's state or severity from the moment `at` (epoch ms) on. */
export interface Transition {
  at: number;
  state?: AlertState;
  severity?: Severity;
}

/** What an operator did to an alert, and when. */
export interface OperatorAction {
  at: number;
  alertId: string;
  actor: string;
  action: 'acknowledge' | 'dispatch' | 'resolve' | 'comment';
  /** The comment or resolution note, null without one. */
  text: string | null;
}

const STATE_OF: Readonly<Record<string, AlertState>> = {
  'alert.acknowledge': 'acknowledged',
  'alert.dispatch': 'dispatched',
  'alert.resolve': 'resolved',
  'alert.auto_resolve': 'resolved',
};

const severityIn = (v: unknown): Severity | undefined => {
  const s = Severity.safeParse((v as { severity?: unknown } | null)?.severity);
  return s.success ? s.data : undefined;
};

/**
 * An alert's transitions, oldest first: firing at its opening with its first severity (the opening
 * record's, else the one before its first severity change, else today's), then each audited change.
 * Its row's resolvedAt resolves it when the audit has no resolve record.
 */
export function transitionsOf(a: Pick<ApiAlert, 'openedAt' | 'severity' | 'resolvedAt'>, events: readonly AlertEvent[]): Transition[] {
  const opened = Date.parse(a.openedAt);
  const open = events.find((e) => e.action === 'alert.open');
  const firstChange = events.find((e) => e.action === 'alert.escalate' || e.action === 'alert.deescalate');
  const first = severityIn(open?.after) ?? severityIn(firstChange?.before) ?? a.severity;
  const out: Transition[] = [{ at: opened, state: 'firing', severity: first }];
  for (const e of events) {
    const at = Math.max(opened, Date.parse(e.at));
    if (e.action === 'alert.escalate' || e.action === 'alert.deescalate') {
      const severity = severityIn(e.after);
      if (severity) out.push({ at, severity });
    } else if (STATE_OF[e.action]) out.push({ at, state: STATE_OF[e.action] });
  }
  if (a.resolvedAt && !out.some((x) => x.state === 'resolved')) out.push({ at: Math.max(opened, Date.parse(a.resolvedAt)), state: 'resolved' });
  return out.sort((x, y) => x.at - y.at);
}

/** The state and severity after every transition up to `at`; null before the first. */
export function stateAt(transitions: readonly Transition[], at: number): { state: AlertState; severity: Severity } | null {
  let state: AlertState | null = null;
  let severity: Severity | null = null;
  for (const x of transitions) {
    if (x.at > at) break;
    state = x.state ?? state ?? 'firing';
    severity = x.severity ?? severity ?? 'blue';
  }
  return state && severity ? { state, severity } : null;
}

/** An alert with its transitions, ready to be shown at any moment of the replay. */
export interface ReplayAlert {
  alert: ApiAlert;
  transitions: Transition[];
}

/** Each alert of a timeline answer with its transitions (events grouped by alert). */
export function replayAlerts(alerts: readonly ApiAlert[], events: readonly AlertEvent[]): ReplayAlert[] {
  const by = new Map<string, AlertEvent[]>();
  for (const e of events) by.set(e.alertId, [...(by.get(e.alertId) ?? []), e]);
  return alerts.map((alert) => ({ alert, transitions: transitionsOf(alert, by.get(alert.id) ?? []) }));
}

/** The alerts open at `at` (opened, not yet resolved), each with the severity and state it had then. */
export function alertsAt(list: readonly ReplayAlert[], at: number): ApiAlert[] {
  const out: ApiAlert[] = [];
  for (const { alert, transitions } of list) {
    const s = stateAt(transitions, at);
    if (s && s.state !== 'resolved') out.push({ ...alert, ...s });
  }
  return out;
}

const ACTION: Readonly<Record<string, OperatorAction['action']>> = {
  'alert.acknowledge': 'acknowledge',
  'alert.dispatch': 'dispatch',
  'alert.resolve': 'resolve',
  'alert.comment': 'comment',
};

const textOf = (e: AlertEvent): string | null => {
  const d = e.detail as { comment?: unknown; note?: unknown } | null;
  const c = e.action === 'alert.comment' ? (e.after as { text?: unknown } | null)?.text : (d?.comment ?? d?.note);
  return typeof c === 'string' && c ? c : null;
};

/** The operators' actions (acknowledge, dispatch, resolve, comment; not the rules' own changes) up to `at`, newest first. */
export function actionsUntil(events: readonly AlertEvent[], at: number): OperatorAction[] {
  const out: OperatorAction[] = [];
  for (const e of events) {
    const action = ACTION[e.action];
    const t = Date.parse(e.at);
    if (!action || t > at) continue;
    out.push({ at: t, alertId: e.alertId, actor: e.actor, action, text: textOf(e) });
  }
  return out.sort((x, y) => y.at - x.at);
}
