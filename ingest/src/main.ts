// Standalone ingest process: parse the environment, open the database (waiting for it), migrate,
// start. SIGINT / SIGTERM commit what is held and exit; anything unacknowledged is redelivered.
import { createLogger, envHelp, migrate, onShutdown, openDb, startEmbeddedBroker, type Db } from '@basin/platform';
import { IngestEnv, loadConfig, processArgs, processEnv } from './config.js';
import { start } from './service.js';

if (processArgs().includes('--help')) {
  process.stdout.write(envHelp(IngestEnv, 'ingest: MQTT and HJ 212 gateway into TimescaleDB (validated, quality-flagged, ack after commit).\nUsage: node --import tsx ingest/src/main.ts'));
  process.exit(0);
}

const config = loadConfig(processEnv());
const log = createLogger({ name: 'ingest', level: config.env.LOG_LEVEL });

async function openWithRetry(): Promise<Db> {
  for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
    try {
      const db = await openDb(config.database, log);
      await migrate(db, log);
      return db;
    } catch (e) {
      if (config.database.mode === 'embedded') throw e;
      log.warn({ err: (e as Error).message, retryMs: delay }, 'database not available yet; retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

process.on('unhandledRejection', (e) => {
  log.fatal({ err: e }, 'unhandled rejection');
  process.exit(1);
});
const db = await openWithRetry();
const broker = config.env.MQTT_URL ? null : await startEmbeddedBroker({ host: config.env.MQTT_EMBEDDED_HOST, port: config.env.MQTT_EMBEDDED_PORT, log });
const svc = await start({ config, db, log, mqttUrl: config.env.MQTT_URL ?? broker!.url });
log.info({ metrics: svc.metricsUrl, hj212Port: svc.hj212Port, mqtt: svc.mqtt }, 'ingest ready');

onShutdown(
  [
    ['ingest', () => svc.stop()],
    ['broker', () => broker?.close()],
    ['database', () => db.close()],
  ],
  { log },
);
