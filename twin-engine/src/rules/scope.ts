import type { RuleScope } from '@basin/schemas';
import type { RuleStation } from './types.js';

/** True when the station is inside the rule's scope (every given filter must match). */
export function inScope(scope: RuleScope, s: RuleStation): boolean {
  if (scope.stations && !scope.stations.includes(s.id)) return false;
  if (scope.kinds && !scope.kinds.includes(s.kind)) return false;
  if (scope.reaches && (s.reach === null || !scope.reaches.includes(s.reach))) return false;
  if (scope.rivers && (s.river === null || !scope.rivers.includes(s.river))) return false;
  if (scope.adminUnits && !scope.adminUnits.some((a) => s.admin.startsWith(a))) return false;
  if (scope.riverChiefs && (s.riverChief === null || !scope.riverChiefs.includes(s.riverChief))) return false;
  return true;
}
