export * from './logger.js';
export * from './errors.js';
export * from './config.js';
export * from './db.js';
export * from './broker.js';
export * from './pglite-server.js';
export * from './net.js';
export * from './stations.js';
