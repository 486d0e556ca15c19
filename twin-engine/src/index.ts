export { start, type TwinDeps, type TwinService } from './service.js';
export { loadConfig, TwinEnv, type TwinConfig } from './config.js';
export { buildServer } from './server.js';
export { TwinErrors } from './errors.js';
