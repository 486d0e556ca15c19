// Standalone ingest process: parse the environment, open the database, migrate, start.
import { createLogger, migrate, openDb, startEmbeddedBroker } from '@basin/platform';
import { loadConfig, processEnv } from './config.js';
import { start } from './service.js';

const config = loadConfig(processEnv());
const log = createLogger({ name: 'ingest', level: config.env.LOG_LEVEL });
const db = await openDb(config.database, log);
await migrate(db, log);
const broker = config.env.MQTT_URL ? null : await startEmbeddedBroker({ host: config.env.MQTT_EMBEDDED_HOST, port: config.env.MQTT_EMBEDDED_PORT, log });
const svc = await start({ config, db, log, mqttUrl: config.env.MQTT_URL ?? broker!.url });

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await svc.stop();
      await broker?.close();
      await db.close();
      process.exit(0);
    })();
  });
}
