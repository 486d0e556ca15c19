import type { Db, Logger } from '@basin/platform';
import type { Station } from '@basin/schemas';
import { systemPrincipal } from '../auth/roles.js';
import { emitDomainEvent } from '../ops/emit.js';
import { loadPlanFiles, loadRuleFiles } from '../plans/files.js';
import { leaseHolder } from '../state/lease.js';
import type { TwinState } from '../state/twin.js';
import { standardsClassifiers } from './classifiers.js';
import { DbRuleEffects } from './effects.js';
import { Evaluator } from './evaluator.js';
import { seedDefinitions } from './store.js';
import { TaskClock } from './tasks.js';
import type { RuleStation } from './types.js';

export interface AlertingDeps {
  db: Db;
  log: Logger;
  twin: TwinState;
  /** Rule and plan directories (the shipped examples by default). */
  rulesDir?: string;
  plansDir?: string;
  leaseMs?: number;
  /** Called after an evaluation that raised events committed (e.g. wake this process's webhook dispatcher). */
  onEventsCommitted?: () => void;
}

/** What the rule engine knows of each station: kind, reach (from the basin model), river, admin unit, river chief. */
export function ruleStations(twin: TwinState): RuleStation[] {
  const m = twin.model;
  return [...m.stationInfo.values()].map((s: Station) => ({
    id: s.id,
    kind: s.kind,
    reach: m.stations.get(s.id)?.reach ?? null,
    river: s.river,
    admin: s.jurisdiction.admin,
    riverChief: s.jurisdiction.riverChief,
  }));
}

/**
 * 预警 in a twin-engine process: seeds the rule and plan store from the files, starts the elected
 * evaluator (only one process of a deployment evaluates) and feeds it the twin's committed readings
 * and model changes.
 */
export async function startAlerting(deps: AlertingDeps): Promise<Evaluator> {
  const log = deps.log.child({ component: 'rules' });
  const changed = await seedDefinitions(deps.db, loadRuleFiles(deps.rulesDir), loadPlanFiles(deps.plansDir), systemPrincipal('twin-engine'));
  if (changed) log.info({ changed }, 'rule and plan files stored as new versions');
  const evaluator = new Evaluator({
    db: deps.db,
    log,
    holder: leaseHolder(),
    classifiers: standardsClassifiers(() => deps.twin.model.stationInfo),
    stations: () => ruleStations(deps.twin),
    effects: new DbRuleEffects(),
    tasks: new TaskClock(emitDomainEvent),
    ...(deps.leaseMs ? { leaseMs: deps.leaseMs } : {}),
    ...(deps.onEventsCommitted ? { onCommitted: deps.onEventsCommitted } : {}),
  });
  deps.twin.subscribe((e) => {
    if (e.type === 'reading') {
      const receivedAt = Date.now();
      evaluator.onReadings(e.readings.map((r) => ({ ...r, receivedAt })));
    } else if (e.type === 'model') evaluator.reload();
  });
  await evaluator.start();
  return evaluator;
}
