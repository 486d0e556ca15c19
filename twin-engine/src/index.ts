export { start, type TwinDeps, type TwinService } from './service.js';
export { buildApp, type AppDeps } from './app.js';
export { loadConfig, TwinEnv, type TwinConfig } from './config.js';
export { TwinErrors } from './errors.js';
export type { ReadinessCheck } from './http/health.js';
export type { ApiDeps, ApiPlugin } from './http/types.js';
export { ROLES, type Role, type Access, type Principal } from './auth/roles.js';
