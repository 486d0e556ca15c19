import mqtt, { type MqttClient } from 'mqtt';
import { createLogger, migrate, openEmbeddedDb, type Db, type EmbeddedDb } from '@basin/platform';
import { startMosquitto, type TestMosquitto } from '@basin/platform/testing';
import { loadConfig, type IngestConfig } from '../src/config.js';
import { start, type IngestService } from '../src/service.js';

export const silentLog = createLogger({ level: (process.env.TEST_LOG_LEVEL as 'info' | undefined) ?? 'silent' });

/** Ingest configuration for tests: in-memory embedded DB, ephemeral metrics port, quiet logs. */
export function testConfig(env: Record<string, string> = {}): IngestConfig {
  return loadConfig({ DATA_DIR: 'memory', INGEST_METRICS_PORT: '0', LOG_LEVEL: 'silent', INGEST_BATCH_MS: '50', INGEST_RUN_JOBS: 'false', ...env });
}

export async function publisher(url: string, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId: `test-pub-${Math.random().toString(36).slice(2)}`, clean: true, reconnectPeriod: 200, ...opts });
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, stepMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  const r = await db.query<{ n: number }>(sql, params);
  return Number(r.rows[0]?.n ?? 0);
}

/** Ingest in-process against its own Mosquitto and an in-memory embedded TimescaleDB, with a publisher. */
export interface IngestRig {
  mosq: TestMosquitto;
  db: EmbeddedDb;
  svc: IngestService;
  pub: MqttClient;
  close(): Promise<void>;
}

export async function startIngestRig(env: Record<string, string>): Promise<IngestRig> {
  const [mosq, db] = await Promise.all([startMosquitto(), openEmbeddedDb(null)]);
  await migrate(db);
  const svc = await start({ config: testConfig(env), db, log: silentLog, mqttUrl: mosq.url });
  const pub = await publisher(mosq.url);
  return {
    mosq,
    db,
    svc,
    pub,
    async close() {
      await pub.endAsync();
      await svc.stop();
      await db.close();
      await mosq.dispose();
    },
  };
}
