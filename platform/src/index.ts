// The public surface of @basin/platform, hand-picked (no `export *`). Importing it loads pino and zod
// only: PGlite, `pg` and aedes are loaded on first use (openDb / openEmbeddedDb / openServerDb /
// startEmbeddedBroker). test/entry-weight.test.ts checks it.
export { createLogger, redactUrl, REDACT_PATHS, type Logger, type LoggerOptions } from './logger.js';
export { BasinError, PlatformErrors } from './errors.js';
export {
  parseEnv,
  envHelp,
  databaseSettings,
  port,
  posInt,
  bool,
  logLevel,
  optionalString,
  databaseEnv,
  mqttEnv,
  type Env,
  type DatabaseSettings,
} from './config.js';
export {
  createTimescalePglite,
  wrapPglite,
  openEmbeddedDb,
  openServerDb,
  openDb,
  numericTypeParsers,
  loadMigrations,
  migrate,
  MIGRATIONS_DIR,
  type QueryResult,
  type Queryable,
  type Db,
  type EmbeddedDb,
  type Migration,
} from './db.js';
export { startEmbeddedBroker, accessHooks, type EmbeddedBroker, type EmbeddedBrokerAccess } from './broker.js';
export {
  grantsOf,
  mosquittoAclBlock,
  mayPublish,
  maySubscribe,
  topicMatches,
  CLIENT_ID_RE,
  type MqttRole,
  type MqttGrant,
  type MqttAccess,
} from './mqtt-acl.js';
export {
  hashMosquittoPassword,
  verifyMosquittoPassword,
  randomPassword,
  issueCredentials,
  upsertAclBlock,
  upsertPasswdLine,
  type IssuedCredentials,
} from './mqtt-credentials.js';
export { freePort } from './net.js';
export { ReconnectBackoff, type BackoffOptions } from './backoff.js';
export { upsertStations, loadStations } from './stations.js';
export { onShutdown, type ShutdownStep } from './shutdown.js';
