// Test support shared by the packages' integration tests (not used by services at run time).
export * from './mosquitto.js';
export * from './timescale.js';
