import type { FastifyInstance } from 'fastify';
import type { Db, Logger } from '@basin/platform';
import { buildApp } from './app.js';
import type { TwinConfig } from './config.js';
import type { ReadinessCheck } from './http/health.js';
import { Dispatcher } from './webhooks/dispatcher.js';
import { systemClock } from './state/clock.js';
import { TwinState } from './state/twin.js';
import { startAlerting } from './rules/alerting.js';
import { TwinStreamFeed } from './stream/twin-feed.js';
import type { Evaluator } from './rules/evaluator.js';
import { startForecasting, type ForecastRunner } from './forecast/runner.js';
import { startSpillWatch, type SpillWatch } from './forecast/exceedance-watch.js';

export interface TwinDeps {
  config: TwinConfig;
  db: Db;
  log: Logger;
  /** Extra readiness checks (e.g. the MQTT broker the reading feed uses). */
  readiness?: ReadinessCheck[];
}

export interface TwinService {
  readonly app: FastifyInstance;
  /** Base URL the HTTP server listens on. */
  readonly url: string;
  /** The webhook dispatcher of this process (null when WEBHOOKS_ENABLED=false). */
  readonly dispatcher: Dispatcher | null;
  /** Live state and basin model (rules and forecasts subscribe to it). */
  readonly twin: TwinState;
  /** The 预警 rule evaluator of this process (evaluates only while it holds the deployment's lease). */
  readonly evaluator: Evaluator;
  /** The 预报 flood forecast runner (null when FORECAST_ENABLED=false). */
  readonly forecasts: ForecastRunner | null;
  /** The 预报 pollutant-travel runs on water-quality exceedances (null when SPILL_WATCH_ENABLED=false). */
  readonly spillWatch: SpillWatch | null;
  stop(): Promise<void>;
}

/**
 * Start the twin-engine: the webhook dispatcher and the HTTP API (and viewer) listening on the
 * configured address. Both are safe with several processes.
 */
export async function start(deps: TwinDeps): Promise<TwinService> {
  const log = deps.log.child({ service: 'twin-engine' });
  const { config, db } = deps;
  const dispatcher = config.webhooks.enabled ? new Dispatcher(db, log.child({ component: 'webhooks' }), { ...config.webhooks }) : null;
  dispatcher?.start();
  const twin = new TwinState(db, config.database, systemClock, config.twin, log.child({ component: 'state' }));
  await twin.start();
  const feed = new TwinStreamFeed(db, twin, log.child({ component: 'stream-feed' }), { sampleMs: config.stream.readingSampleS * 1000 });
  feed.start();
  // A committed alert wakes this process's dispatcher at once (others find it at their next poll).
  const evaluator = await startAlerting({ db, log, twin, onEventsCommitted: () => dispatcher?.nudge() });
  const listening: ReadinessCheck = {
    name: 'live-state',
    check: async () => {
      if (!twin.listening) throw new Error('the LISTEN connection to the database is down: live state is not being updated');
    },
  };
  const f = config.forecast;
  const forecasts = f.enabled ? await startForecasting({ db, log, twin, options: f, consume: (run) => evaluator.onForecast(run.crossings) }) : null;
  const sw = config.spillWatch;
  const spillWatch = sw.enabled ? await startSpillWatch({ db, log, twin, options: { rerunMs: sw.rerunMs, persistH: sw.persistH, sourceKm: sw.sourceKm } }) : null;
  const app = await buildApp({ ...deps, readiness: [...(deps.readiness ?? []), listening], log, twin, nudge: () => dispatcher?.nudge() });
  await app.listen({ host: config.http.host, port: config.http.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.http.port;
  const host = config.http.host === '0.0.0.0' ? 'localhost' : config.http.host;
  const url = `http://${host}:${port}`;
  log.info({ url }, 'twin-engine HTTP API listening');
  return {
    app,
    url,
    dispatcher,
    twin,
    evaluator,
    forecasts,
    spillWatch,
    async stop() {
      await app.close();
      await spillWatch?.stop();
      await forecasts?.stop();
      await evaluator.stop();
      await feed.stop();
      await dispatcher?.stop();
      await twin.stop();
    },
  };
}
