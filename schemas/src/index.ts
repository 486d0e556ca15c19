export * from './metrics.js';
export * from './station.js';
export * from './reading.js';
export * from './topics.js';
export * from './domain.js';
export * from './api.js';
export * from './catalogue/index.js';
