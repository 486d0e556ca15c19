import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import etag from '@fastify/etag';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { createHash } from 'node:crypto';
import type { Db, Logger } from '@basin/platform';
import { Authenticator } from './auth/authenticate.js';
import { KeyVerifier } from './auth/keys.js';
import { verifyTicket } from './auth/tickets.js';
import { JwtVerifier } from './auth/jwt.js';
import { loadJwtSettings } from './auth/jwt-settings.js';
import type { TwinConfig } from './config.js';
import { TwinErrors } from './errors.js';
import { accessControl, routeAccess } from './http/access.js';
import type { Access } from './auth/roles.js';
import { alertsPlugin } from './http/alerts.js';
import { deadLettersPlugin } from './http/dead-letters.js';
import { accessPlugin } from './http/keys.js';
import { streamPlugin } from './http/stream.js';
import { tasksPlugin } from './http/tasks.js';
import { webhooksPlugin } from './http/webhooks.js';
import { StreamHub } from './stream/hub.js';
import { docsPlugin } from './http/docs.js';
import { errorHandling } from './http/errors.js';
import { healthPlugin, type ReadinessCheck } from './http/health.js';
import { metricsPlugin, TwinMetrics } from './http/metrics.js';
import { readingsPlugin } from './http/readings.js';
import { rulesPlugin } from './http/rules.js';
import { stationsPlugin } from './http/stations.js';
import { standardsPlugin } from './http/standards.js';
import { statePlugin } from './http/state.js';
import { modelPlugin } from './http/model.js';
import { forecastsPlugin } from './http/forecasts.js';
import { rehearsalsPlugin } from './http/rehearsals.js';
import { spillPlugin } from './http/spill.js';
import type { TwinState } from './state/twin.js';
import { viewerPlugin } from './http/viewer.js';
import type { ApiDeps } from './http/types.js';

export interface AppDeps {
  config: TwinConfig;
  db: Db;
  log: Logger;
  /** Readiness checks besides the database (e.g. the MQTT broker). */
  readiness?: ReadinessCheck[];
  metrics?: TwinMetrics;
  /** Called after a request committed events (the webhook dispatcher's nudge). */
  nudge?: () => void;
  /** The live state and basin model (state and model resources are served when given). */
  twin?: TwinState;
}

/**
 * The whole HTTP app: security plugins, access control, docs, one plugin per resource under /api,
 * the viewer at /. Nothing listens (see service.ts); tests call `app.inject()`.
 *
 * Adding a resource: write `http/<resource>.ts` exporting an `ApiPlugin` (zod schemas for params,
 * querystring, body and every response; `config: { access: 'viewer' | 'operator' | 'admin' |
 * 'public' }` on each route — omitted, reads need a viewer and mutations an admin) and register it
 * in `registerResources` below. The role-matrix test covers every registered route by itself.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, db } = deps;
  const log = deps.log.child({ component: 'http' });
  const app = Fastify({
    // Per-request lines only at debug level: large-screen viewers poll every few seconds.
    loggerInstance: log.child({}, { level: log.isLevelEnabled('debug') ? log.level : 'warn' }) as FastifyBaseLogger,
    bodyLimit: config.http.bodyLimit,
    trustProxy: config.http.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(errorHandling, { bodyLimit: config.http.bodyLimit });
  app.addHook('onRequest', async (req) => {
    if (req.url.length > config.http.queryLimit) throw TwinErrors.URI_TOO_LONG(config.http.queryLimit);
  });
  await app.register(helmet, {
    // The viewer (CesiumJS, deck.gl) needs workers and WebAssembly from blob: URLs and inline styles;
    // a configured tile service's origins (VIEWER_TILE_ORIGINS) are allowed for images and fetches.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'wasm-unsafe-eval'", 'blob:'],
        workerSrc: ["'self'", 'blob:'],
        imgSrc: ["'self'", 'data:', 'blob:', ...config.viewerTileOrigins],
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'", 'data:', 'blob:', ...config.http.corsOrigins.filter((o) => o !== '*'), ...config.viewerTileOrigins],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  if (config.http.corsOrigins.length) {
    await app.register(cors, { origin: config.http.corsOrigins.includes('*') ? true : config.http.corsOrigins, credentials: false, maxAge: 600 });
  }
  await app.register(compress, { threshold: 1024 });
  await app.register(rateLimit, {
    max: config.http.rateLimit,
    timeWindow: 60_000,
    keyGenerator: (req) => {
      const cred = req.headers.authorization ?? req.headers['x-api-key'];
      return cred ? `cred:${createHash('sha256').update(String(cred)).digest('base64url').slice(0, 22)}` : `ip:${req.ip}`;
    },
    errorResponseBuilder: (_req, ctx) => TwinErrors.RATE_LIMITED(Math.ceil(ctx.ttl / 1000)),
  });

  const jwt = config.auth.jwt ? new JwtVerifier(loadJwtSettings(config.auth.jwt)) : null;
  const routes: RouteOptions[] = [];
  app.decorate('routeTable', () => routes.map((r) => ({ method: r.method, url: r.url, access: routeAccess(String(r.method), r.config as { access?: Access }) })));
  await app.register(accessControl, { auth: new Authenticator(new KeyVerifier(db), jwt, (t) => verifyTicket(db, t, Date.now(), config.stream.ticketTtlS * 1000)), anonymousRead: config.auth.anonymousRead, routes });
  await app.register(docsPlugin);
  await app.register(metricsPlugin, { metrics: deps.metrics ?? new TwinMetrics() });

  const checks: ReadinessCheck[] = [{ name: 'database', check: async () => void (await db.query('SELECT 1')) }, ...(deps.readiness ?? [])];
  await app.register(healthPlugin, { prefix: '/api', checks });
  // The live stream: started when the app is ready, every client ended before the server closes.
  const hub = new StreamHub(db, log.child({ component: 'stream' }), config.stream);
  app.addHook('onReady', () => hub.start());
  app.addHook('preClose', () => hub.stop());
  await app.register(registerResources, { prefix: '/api', config, db, log, nudge: deps.nudge ?? (() => undefined), hub, twin: deps.twin });
  await app.register(viewerPlugin, { viewerDir: config.viewerDir, log });
  return app;
}

/** One plugin per resource, all under /api. */
async function registerResources(api: FastifyInstance, opts: ApiDeps & { prefix?: string; hub: StreamHub; twin?: TwinState }): Promise<void> {
  const deps: ApiDeps = { config: opts.config, db: opts.db, log: opts.log, nudge: opts.nudge };
  // Reference data answers If-None-Match with 304.
  await api.register(async (ref) => {
    await ref.register(etag, { weak: false });
    await ref.register(stationsPlugin, deps);
  });
  // With a live state, the latest readings are answered from memory (state/latest-json.ts).
  const twin = opts.twin;
  await api.register(readingsPlugin, twin ? { ...deps, latest: (s, m) => twin.latest.text(s, m) } : deps);
  await api.register(deadLettersPlugin, deps);
  await api.register(rulesPlugin, deps);
  await api.register(standardsPlugin, deps);
  await api.register(forecastsPlugin, deps);
  await api.register(alertsPlugin, deps);
  await api.register(tasksPlugin, deps);
  await api.register(webhooksPlugin, deps);
  await api.register(accessPlugin, deps);
  await api.register(streamPlugin, { ...deps, hub: opts.hub });
  if (opts.twin) {
    await api.register(statePlugin, { ...deps, twin: opts.twin });
    await api.register(modelPlugin, { ...deps, twin: opts.twin });
    await api.register(spillPlugin, { ...deps, twin: opts.twin });
    await api.register(rehearsalsPlugin, { ...deps, twin: opts.twin });
  }
}
