import mqtt, { type MqttClient } from 'mqtt';
import { BASIN_STATIONS, METRICS, encodeReadingBatch, topics, type Reading, type Station } from '@basin/schemas';
import type { Logger } from '@basin/platform';
import type { SimConfig } from './config.js';
import { baselineModel } from './signals.js';

export interface SimDeps {
  config: SimConfig;
  log: Logger;
  mqttUrl: string;
  stations?: readonly Station[];
}

export interface SimStats {
  published: number;
  acknowledged: number;
  errors: number;
}

export interface SimService {
  readonly stats: SimStats;
  stop(): Promise<void>;
}

/** Start publishing readings for every station at the configured interval and speed. */
export async function start(deps: SimDeps): Promise<SimService> {
  const { config } = deps;
  const log = deps.log.child({ component: 'sensors-sim' });
  const stations = deps.stations ?? BASIN_STATIONS;
  const model = baselineModel(config.seed);
  const seq = new Map<string, number>();
  const stats: SimStats = { published: 0, acknowledged: 0, errors: 0 };
  const statusTopic = topics.status(config.clientId);
  const client: MqttClient = await mqtt.connectAsync(deps.mqttUrl, {
    clientId: config.clientId,
    username: config.env.MQTT_USERNAME,
    password: config.env.MQTT_PASSWORD,
    reconnectPeriod: 1000,
    will: {
      topic: statusTopic,
      payload: Buffer.from(JSON.stringify({ v: 1, client: config.clientId, state: 'offline', ts: Date.now(), kind: 'simulator', reason: 'connection lost' })),
      qos: 1,
      retain: true,
    },
  });
  await client.publishAsync(statusTopic, JSON.stringify({ v: 1, client: config.clientId, state: 'online', ts: Date.now(), kind: 'simulator' }), { qos: 1, retain: true });

  const startWall = Date.now();
  let simTime = startWall - (startWall % (config.intervalS * 1000));
  const tick = () => {
    const wallNow = Date.now();
    const target = startWall + (wallNow - startWall) * config.speed;
    while (simTime <= target) {
      for (const st of stations) publishStation(st, simTime);
      simTime += config.intervalS * 1000;
    }
  };
  const publishStation = (st: Station, t: number) => {
    const readings: Reading[] = st.metrics.map((metric) => {
      const n = (seq.get(st.id) ?? 0) + 1;
      seq.set(st.id, n);
      return { station: st.id, metric, value: model.value(st, metric, t), ts: t, quality: 'not_evaluated', seq: n };
    });
    const medium = METRICS[st.metrics[0]!].medium;
    stats.published += readings.length;
    client.publish(topics.stationReadings(medium, st.id), encodeReadingBatch(readings, { station: st.id }), { qos: 1 }, (err) => {
      if (err) stats.errors += readings.length;
      else stats.acknowledged += readings.length;
    });
  };
  tick();
  const timer = setInterval(tick, Math.max(50, Math.min(1000, (config.intervalS * 1000) / config.speed)));
  log.info({ stations: stations.length, scenario: config.scenario, speed: config.speed, intervalS: config.intervalS }, 'simulator publishing');
  return {
    stats,
    async stop() {
      clearInterval(timer);
      await client.publishAsync(statusTopic, JSON.stringify({ v: 1, client: config.clientId, state: 'offline', ts: Date.now(), kind: 'simulator', reason: 'stopped' }), { qos: 1, retain: true }).catch(() => undefined);
      await client.endAsync();
      log.info(stats, 'simulator stopped');
    },
  };
}
