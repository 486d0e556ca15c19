import { SEVERITY_RANK, type EventAttributes, type WebhookFilters } from '@basin/schemas';

const inList = (list: readonly string[] | undefined, v: string | null | undefined) => list === undefined || (v != null && list.includes(v));

/**
 * Whether an event with these attributes matches a subscription's filters (pure). Every filter
 * given must match; an event without the attribute a filter names does not match it.
 */
export function matchesFilters(f: WebhookFilters, a: EventAttributes): boolean {
  if (f.severities && !(a.severity != null && f.severities.includes(a.severity))) return false;
  if (f.minSeverity && !(a.severity != null && SEVERITY_RANK[a.severity] >= SEVERITY_RANK[f.minSeverity])) return false;
  if (!inList(f.stations, a.station) || !inList(f.metrics, a.metric) || !inList(f.reaches, a.reach) || !inList(f.rivers, a.river)) return false;
  if (!inList(f.riverChiefs, a.riverChief)) return false;
  if (f.adminUnits && !(a.adminUnit != null && f.adminUnits.some((u) => a.adminUnit!.startsWith(u)))) return false;
  return true;
}
