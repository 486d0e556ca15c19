import { readFileSync } from 'node:fs';
import { BasinError, redactUrl, type Logger } from '@basin/platform';
import { sharedFilter, topics } from '@basin/schemas';
import type { IngestConfig } from './config.js';
import { AckingMqttClient, type ConnectInfo, type InboundMessage } from './mqtt-client.js';

/**
 * The MQTT source: one acknowledging client subscribed to readings (through `$share/<group>/…`
 * on MQTT 5 when a share group is configured), status and registry. Falls back to a single
 * MQTT 3.1.1 consumer only when the broker says MQTT 5 or shared subscriptions are not available
 * (by CONNACK / SUBACK code); any other refusal — bad credentials, not authorised — is an error.
 */

export interface MqttSourceOptions {
  url: string;
  config: IngestConfig;
  /** Explicit credentials win over MQTT_USERNAME / MQTT_PASSWORD and those in the URL. */
  username?: string;
  password?: string;
  keepaliveS?: number;
  log: Logger;
  onMessage(msg: InboundMessage): void;
  onConnected(connected: boolean): void;
}

export interface MqttSource {
  readonly client: AckingMqttClient;
  readonly protocolVersion: 4 | 5;
  readonly shared: boolean;
  readonly isConnected: boolean;
  pause(): void;
  resume(): void;
  publish(topic: string, payload: string, qos: 0 | 1): boolean;
  stop(): Promise<void>;
}

/** Error codes after which a shared (MQTT 5) consumer falls back to a single 3.1.1 consumer. */
export const FALLBACK_CODES: ReadonlySet<string> = new Set(['INGEST_MQTT_PROTOCOL_UNSUPPORTED', 'INGEST_MQTT_SHARED_UNAVAILABLE']);

export async function startMqttSource(o: MqttSourceOptions): Promise<MqttSource> {
  const { config, log } = o;
  const tls = {
    ca: config.mqttTls.ca ? readFileSync(config.mqttTls.ca) : undefined,
    cert: config.mqttTls.cert ? readFileSync(config.mqttTls.cert) : undefined,
    key: config.mqttTls.key ? readFileSync(config.mqttTls.key) : undefined,
  };
  const connect = async (shareGroup: string | undefined): Promise<{ client: AckingMqttClient; info: ConnectInfo }> => {
    const client = new AckingMqttClient({
      url: o.url,
      clientId: config.clientId,
      protocolVersion: shareGroup ? 5 : 4,
      username: o.username ?? config.env.MQTT_USERNAME,
      password: o.password ?? config.env.MQTT_PASSWORD,
      tls,
      keepaliveS: o.keepaliveS ?? config.keepaliveS,
      receiveMaximum: config.maxInflight,
      sessionExpiryS: config.sessionExpiryS,
      subscriptions: [
        ...topics.filters.readings.map((f) => ({ topic: shareGroup ? sharedFilter(shareGroup, f) : f, qos: 1 as const })),
        // status and registry are retained, and retained messages are not sent to shared
        // subscriptions: every worker subscribes to them directly (their handling is idempotent)
        { topic: topics.filters.status, qos: 1 as const },
        { topic: topics.filters.registry, qos: 1 as const },
      ],
      log,
    });
    client.on('message', o.onMessage);
    client.on('connect', (i) => {
      o.onConnected(true);
      log.info({ sessionPresent: i.sessionPresent }, 'mqtt connected');
    });
    client.on('close', () => o.onConnected(false));
    const info = await client.start();
    return { client, info };
  };

  let chosen: { client: AckingMqttClient; info: ConnectInfo } | null = null;
  let shared = false;
  if (config.shareGroup) {
    try {
      chosen = await connect(config.shareGroup);
      if (chosen.info.sharedSubscriptionAvailable === false) {
        await chosen.client.stop();
        chosen = null;
        log.warn({ broker: redactUrl(o.url) }, 'broker reports shared subscriptions unavailable (CONNACK): consuming all readings as a single MQTT 3.1.1 worker');
      } else shared = true;
    } catch (e) {
      if (!(e instanceof BasinError && FALLBACK_CODES.has(e.code))) throw e;
      log.warn({ code: e.code, err: e.message }, 'MQTT 5 shared subscriptions unavailable: consuming all readings as a single MQTT 3.1.1 worker');
    }
  }
  chosen ??= await connect(undefined);
  const { client } = chosen;
  log.info({ broker: redactUrl(o.url), shared, protocolVersion: chosen.info.protocolVersion }, 'mqtt source subscribed');
  return {
    client,
    protocolVersion: chosen.info.protocolVersion,
    shared,
    get isConnected() {
      return client.isConnected;
    },
    pause: () => client.pause(),
    resume: () => client.resume(),
    publish: (topic, payload, qos) => client.publish(topic, payload, qos),
    stop: () => client.stop(),
  };
}
