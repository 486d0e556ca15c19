import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@basin/schemas';
import { startEmbeddedBroker, type EmbeddedBroker } from '../src/index.js';

describe('embedded broker (aedes) with the roles of the Mosquitto ACL', () => {
  let broker: EmbeddedBroker;
  const clients: MqttClient[] = [];
  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      access: {
        users: { ingest: { password: 'ingest-pw', roles: [{ kind: 'ingest' }] }, provisioner: { password: 'prov-pw', roles: [{ kind: 'provisioner' }] } },
        anonymous: [{ kind: 'simulator' }],
      },
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await broker?.close();
  });
  const connect = async (opts: IClientOptions = {}) => {
    const c = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 10_000, clientId: `t-${Math.random().toString(36).slice(2, 10)}`, ...opts });
    clients.push(c);
    return c;
  };
  /** SUBACK return code (mqtt.js rejects a refused subscription). */
  const granted = (c: MqttClient, filter: string) =>
    new Promise<number | undefined>((resolve) => c.subscribe(filter, { qos: 1 }, (err, g) => resolve(err ? 128 : g?.[0]?.qos)));

  it('refuses a known user with a wrong password', async () => {
    await expect(connect({ username: 'ingest', password: 'wrong' })).rejects.toThrow(/bad user ?name or password/i);
  });

  it('only ingest reads readings; anonymous devices read confirmations only', async () => {
    const ingest = await connect({ username: 'ingest', password: 'ingest-pw' });
    expect(await granted(ingest, topics.filters.readings[0])).toBe(1);
    expect(await granted(ingest, topics.filters.registry)).toBe(1);
    const device = await connect();
    expect(await granted(device, topics.filters.readings[0])).toBe(128);
    expect(await granted(device, topics.filters.registry)).toBe(128);
    expect(await granted(device, '#')).toBe(128);
    expect(await granted(device, topics.committed('hankou'))).toBe(1);
  });

  it('only the provisioner writes the registry: anyone else is disconnected and nothing is delivered', async () => {
    const ingest = await connect({ username: 'ingest', password: 'ingest-pw' });
    const got: string[] = [];
    ingest.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
    await ingest.subscribeAsync([topics.filters.registry, topics.filters.readings[0]], { qos: 1 });

    const device = await connect();
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    device.publish(topics.registry('hankou'), 'forged', { qos: 1, retain: true });
    await closed;
    const device2 = await connect();
    await device2.publishAsync(topics.stationReadings('water', 'hankou'), 'reading', { qos: 1 });
    const ingestAsDevice = ingest; // ingest may not forge readings or the registry either
    expect(await granted(ingestAsDevice, topics.filters.committed)).toBe(128);
    const prov = await connect({ username: 'provisioner', password: 'prov-pw' });
    await prov.publishAsync(topics.registry('hankou'), 'genuine', { qos: 1, retain: true });
    const end = Date.now() + 10_000;
    while (got.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    expect(got.sort()).toEqual([`${topics.stationReadings('water', 'hankou')} reading`, `${topics.registry('hankou')} genuine`]);
  });

  it('without `access` the broker stays open (tests, tools)', async () => {
    const open = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
    try {
      const c = await mqtt.connectAsync(open.url, { reconnectPeriod: 0 });
      expect((await c.subscribeAsync(topics.filters.registry, { qos: 1 }))[0]?.qos).toBe(1);
      await c.endAsync();
    } finally {
      await open.close();
    }
  });
});
