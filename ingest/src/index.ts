export { start, type IngestDeps, type IngestService, type IngestCounters } from './service.js';
export { loadConfig, IngestEnv, type IngestConfig } from './config.js';
export { DEAD_LETTER_REASONS, IngestErrors, type DeadLetterReason } from './errors.js';
export { QC_DEFAULTS, QcEngine, evaluate as evaluateQc, qcThresholds, type QcThresholds, type QcResult } from './qc.js';
export { AGGREGATES, applyPolicies, runPolicyJobs, listPolicyJobs, type PolicyJob } from './policies.js';
export { decodeHj212, HJ212_DATA_CN, HJ212_FLAG_HINT } from './hj212/decode.js';
export type { BatchCommitted } from './pipeline.js';
