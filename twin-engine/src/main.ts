// Standalone twin-engine process: parse the environment, open the database, migrate, serve.
import { createLogger, migrate, openDb } from '@basin/platform';
import { loadConfig, processEnv } from './config.js';
import { start } from './service.js';

const config = loadConfig(processEnv());
const log = createLogger({ name: 'twin-engine', level: config.env.LOG_LEVEL });
const db = await openDb(config.database, log);
await migrate(db, log);
const svc = await start({ config, db, log });

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void svc.stop().then(() => db.close()).then(() => process.exit(0));
  });
}
