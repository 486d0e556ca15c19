import { inScope as scopeHas, type RuleScope } from '@basin/schemas';
import type { RuleStation } from './types.js';

/** True when the station is inside the rule's scope (schemas' `inScope`, shared with plans and the viewer). */
export function inScope(scope: RuleScope, s: RuleStation): boolean {
  return scopeHas(scope, s);
}
