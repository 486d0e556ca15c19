import { SEVERITY_RANK, type LatestReading, type Severity, type Station } from '@basin/schemas';
import type { ApiAlert, ApiTask } from './api';
import { stationStatus, type StationStatus } from './status';

/** The command wall's key figures, computed from what the API served. Pure: the clock is passed in. */
export interface Kpis {
  stations: number;
  online: number;
  gaugesAboveWarning: number;
  gaugesWithLevels: number;
  alertsBySeverity: Record<Severity, number> | null;
  tasksOverdue: number | null;
  tasksOpen: number | null;
}

/** `online`: the API's live verdict per station (see stationStatus); null to judge by reading age. */
export function statusByStation(stations: readonly Station[], latest: readonly LatestReading[], now: number, online: ReadonlyMap<string, boolean> | null = null): Map<string, StationStatus> {
  const by = new Map<string, LatestReading[]>();
  for (const r of latest) {
    const l = by.get(r.station);
    if (l) l.push(r);
    else by.set(r.station, [r]);
  }
  return new Map(stations.map((s) => [s.id, stationStatus(s, by.get(s.id) ?? [], now, online ? (online.get(s.id) ?? false) : null)]));
}

const OPEN_TASK = new Set<ApiTask['state']>(['open', 'accepted', 'overdue']);
type TaskLike = Pick<ApiTask, 'state' | 'deadline'>;

export const isOpenTask = (t: TaskLike): boolean => OPEN_TASK.has(t.state);

/** Marked overdue by the server, or open past its deadline (before the server's sweep). */
export function isOverdue(task: TaskLike, now: number): boolean {
  return task.state === 'overdue' || (OPEN_TASK.has(task.state) && task.deadline !== null && Date.parse(task.deadline) < now);
}

export function computeKpis(
  stations: readonly Station[],
  status: ReadonlyMap<string, StationStatus>,
  alerts: readonly Pick<ApiAlert, 'severity' | 'state'>[] | null,
  tasks: readonly TaskLike[] | null,
  now: number,
): Kpis {
  let online = 0;
  let above = 0;
  let withLevels = 0;
  for (const s of stations) {
    const st = status.get(s.id);
    if (st?.liveness === 'live') online++;
    if (s.levels?.warning != null) {
      withLevels++;
      // only live stages count: a stale reading says nothing about the river now
      if (st?.liveness === 'live' && (st.flood === 'yellow' || st.flood === 'orange' || st.flood === 'red')) above++;
    }
  }
  let bySev: Record<Severity, number> | null = null;
  if (alerts) {
    bySev = { red: 0, orange: 0, yellow: 0, blue: 0 };
    for (const a of alerts) if (a.state !== 'resolved') bySev[a.severity]++;
  }
  return {
    stations: stations.length,
    online,
    gaugesAboveWarning: above,
    gaugesWithLevels: withLevels,
    alertsBySeverity: bySev,
    tasksOverdue: tasks ? tasks.filter((t) => isOverdue(t, now)).length : null,
    tasksOpen: tasks ? tasks.filter(isOpenTask).length : null,
  };
}

/** Alert queue order: most severe first; firing, then acknowledged, then dispatched; oldest first. */
export function sortAlerts<A extends Pick<ApiAlert, 'severity' | 'state' | 'openedAt'>>(alerts: readonly A[]): A[] {
  const stateRank = { firing: 0, acknowledged: 1, dispatched: 2, resolved: 3 } as const;
  return [...alerts].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || stateRank[a.state] - stateRank[b.state] || Date.parse(a.openedAt) - Date.parse(b.openedAt));
}
