// Standalone twin-engine process: parse the environment, open the database, migrate, serve.
import { createLogger, envHelp, migrate, openDb } from '@basin/platform';
import { TwinEnv, loadConfig, processArgs, processEnv } from './config.js';
import { start } from './service.js';

if (processArgs().includes('--help')) {
  process.stdout.write(envHelp(TwinEnv, 'twin-engine: the basin model, live state and HTTP API (serves the viewer).\nUsage: node --import tsx twin-engine/src/main.ts'));
  process.exit(0);
}

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
