export { start, type IngestDeps, type IngestService, type IngestCounters } from './service.js';
export { loadConfig, IngestEnv, type IngestConfig } from './config.js';
export { DEAD_LETTER_REASONS, type DeadLetterReason } from './errors.js';
