export { start, type SimDeps, type SimService, type SimStats } from './service.js';
export { loadConfig, SimEnv, type SimConfig } from './config.js';
export { Engine, type ConfirmMode, type EngineOptions, type EngineStats, type PublishMode } from './engine.js';
export type { Manifest, ManifestEntry } from './manifest.js';
export { Outbox, type OutboxOptions, type OutboxRecord, type FsyncPolicy } from './outbox.js';
export { Scenario, parseScenario, listScenarios, resolveScenario, SCENARIO_DIR } from './scenario.js';
export { roundValue, SignalModel } from './signals.js';
export { selectStations, syntheticStations, toSimStation, type SimStation } from './stations.js';
export { SimErrors } from './errors.js';
