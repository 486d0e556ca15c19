// Standalone twin-engine process: parse the environment, open the database, migrate, serve.
// `create-key --name NAME --role admin` prints a new API key instead (the first admin key).
import { createLogger, envHelp, migrate, onShutdown, openDb } from '@basin/platform';
import { createKeyCommand } from './auth/admin-cli.js';
import { TwinEnv, loadConfig, processArgs, processEnv } from './config.js';
import { brokerReachable } from './http/broker-check.js';
import { start } from './service.js';

const args = processArgs();
if (args.includes('--help')) {
  process.stdout.write(
    envHelp(
      TwinEnv,
      'twin-engine: the basin model, live state and HTTP API (serves the viewer).\n' +
        'Usage: node --import tsx twin-engine/src/main.ts\n' +
        '       node --import tsx twin-engine/src/main.ts create-key --name NAME --role viewer|operator|admin',
    ),
  );
  process.exit(0);
}

const config = loadConfig(processEnv());
const log = createLogger({ name: 'twin-engine', level: config.env.LOG_LEVEL });
const db = await openDb(config.database, log);
await migrate(db, log);

if (args[0] === 'create-key') {
  const code = await createKeyCommand(db, args.slice(1), (s) => process.stdout.write(s));
  await db.close();
  process.exit(code);
}

const svc = await start({ config, db, log, readiness: config.env.MQTT_URL ? [brokerReachable(config.env.MQTT_URL)] : [] });
onShutdown(
  [
    ['twin-engine', () => svc.stop()],
    ['database', () => db.close()],
  ],
  { log },
);
