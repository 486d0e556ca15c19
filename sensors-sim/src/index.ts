export { start, type SimDeps, type SimService, type SimStats } from './service.js';
export { loadConfig, SimEnv, type SimConfig } from './config.js';
