// Standalone twin-engine process: parse the environment, open the database, migrate, serve.
import { createLogger, envHelp, migrate, onShutdown, openDb } from '@basin/platform';
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

onShutdown(
  [
    ['twin-engine', () => svc.stop()],
    ['database', () => db.close()],
  ],
  { log },
);
