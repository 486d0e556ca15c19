/**
 * MQTT protocol negotiation: "auto" speaks MQTT 5 to Mosquitto and falls back to 3.1.1 on a
 * broker that refuses 5 (the embedded aedes broker), already on the very first connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startEmbeddedBroker, type EmbeddedBroker } from '@basin/platform';
import { startMosquitto, type TestMosquitto } from '@basin/platform/testing';
import { MqttLane, type ProtocolChoice } from '../src/sending/lanes.js';

const log = createLogger({ level: 'silent' });
let aedes: EmbeddedBroker;
let mosquitto: TestMosquitto;

beforeAll(async () => {
  aedes = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
  mosquitto = await startMosquitto();
});
afterAll(async () => {
  await aedes?.close();
  await mosquitto?.dispose();
});

async function negotiate(url: string, protocol: ProtocolChoice): Promise<number> {
  const lane = new MqttLane(0, { url, clientId: `proto-${protocol}-${Math.random().toString(36).slice(2, 8)}`, qos: 1, protocol, status: { kind: 'simulator' }, log }, { onUp: () => undefined, onDown: () => undefined });
  try {
    await lane.connect(true);
    return lane.protocolVersion;
  } finally {
    await lane.close();
  }
}

describe('MQTT protocol negotiation', () => {
  it.each([
    ['aedes', 'auto', 4],
    ['aedes', '3.1.1', 4],
    ['mosquitto', 'auto', 5],
    ['mosquitto', '3.1.1', 4],
    ['mosquitto', '5', 5],
  ] as const)('%s with %s speaks protocol level %i', async (broker, protocol, level) => {
    expect(await negotiate(broker === 'aedes' ? aedes.url : mosquitto.url, protocol)).toBe(level);
  });

  it('fails fast with an error when MQTT 5 is forced on a 3.1.1-only broker', async () => {
    await expect(negotiate(aedes.url, '5')).rejects.toThrow();
  });
});
