// Test support shared by the packages' integration tests (not used by services at run time).
// Hand-picked exports (no `export *`).
export { mosquittoConfig, startMosquitto, MOSQUITTO_BIN, type MosquittoOptions, type TestMosquitto } from './mosquitto.js';
export { makeTestCertificates, MAKE_CERTS_SCRIPT, type TestCertificates } from './certs.js';
export { findTimescale, startTimescale, TIMESCALE_MISSING, type TestTimescale, type TimescaleOptions } from './timescale.js';
export { BACKENDS, openTestDb, type Backend, type TestDb } from './backends.js';
