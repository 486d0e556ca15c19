import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import mqttPacket, { type IConnectPacket, type Packet } from 'mqtt-packet';
import { BasinError, createLogger } from '@basin/platform';
import { startMqttSource } from '../src/mqtt-source.js';
import { testConfig } from './helpers.js';

/**
 * The MQTT source's connect decisions against a scripted broker (mqtt-packet over TCP): fallback
 * from MQTT 5 to 3.1.1 only on the codes that mean "no MQTT 5 / no shared subscriptions",
 * credentials taken from the URL, the broker URL logged without its password.
 */
interface Script {
  /** CONNACK code for a CONNECT of this protocol version (MQTT 5 reason code or 3.1.1 return code). */
  connack: (version: number) => number;
}

async function fakeBroker(script: Script) {
  const connects: IConnectPacket[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    let version = 4;
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    const send = (p: object) => s.write(mqttPacket.generate(p as Packet, { protocolVersion: version as 4 | 5 }));
    parser.on('packet', (p: Packet) => {
      if (p.cmd === 'connect') {
        connects.push(p);
        version = p.protocolVersion ?? 4;
        const code = script.connack(version);
        send(version === 5 ? { cmd: 'connack', sessionPresent: false, reasonCode: code } : { cmd: 'connack', sessionPresent: false, returnCode: code });
        if (code !== 0) s.end();
      } else if (p.cmd === 'subscribe') {
        send({ cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map(() => 1) });
      } else if (p.cmd === 'disconnect') s.end();
    });
    s.on('data', (d) => parser.parse(d));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    connects,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('MQTT source connect decisions', () => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  const logs = () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
    return { log, lines };
  };
  const source = (port: number, log: ReturnType<typeof createLogger>, url = `mqtt://ingest:s3cret@127.0.0.1:${port}`) =>
    startMqttSource({ url, config: testConfig({ INGEST_SHARE_GROUP: 'g', INGEST_CLIENT_ID: 'src-test' }), log, onMessage: () => undefined, onConnected: () => undefined });

  it('a wrong password is reported as bad credentials, with no fallback', async () => {
    const b = await fakeBroker({ connack: (v) => (v === 5 ? 0x86 : 4) });
    close = b.close;
    const { log, lines } = logs();
    const err = await source(b.port, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BasinError);
    expect((err as BasinError).code).toBe('INGEST_MQTT_BAD_CREDENTIALS');
    expect(b.connects.map((c) => c.protocolVersion)).toEqual([5]);
    expect(lines.join('')).not.toMatch(/shared subscriptions unavailable/);
  });

  it('falls back to MQTT 3.1.1 when the broker refuses MQTT 5, taking credentials from the URL', async () => {
    const b = await fakeBroker({ connack: (v) => (v === 5 ? 0x84 : 0) });
    close = b.close;
    const { log, lines } = logs();
    const src = await source(b.port, log);
    expect({ v: src.protocolVersion, shared: src.shared }).toEqual({ v: 4, shared: false });
    await src.stop();
    expect(b.connects.map((c) => c.protocolVersion)).toEqual([5, 4]);
    expect(b.connects.map((c) => [c.username, c.password?.toString()])).toEqual([
      ['ingest', 's3cret'],
      ['ingest', 's3cret'],
    ]);
    const text = lines.join('');
    expect(text).toContain('INGEST_MQTT_PROTOCOL_UNSUPPORTED');
    expect(text).toContain(`mqtt://ingest:[redacted]@127.0.0.1:${b.port}`);
    expect(text).not.toContain('s3cret');
  });

  it('a 3.1.1-only broker answering MQTT 5 with return code 1 also means fall back', async () => {
    const b = await fakeBroker({ connack: (v) => (v === 5 ? 1 : 0) });
    close = b.close;
    const src = await source(b.port, logs().log);
    expect(src.protocolVersion).toBe(4);
    await src.stop();
  });

  it('other refusals are errors with their code', async () => {
    const b = await fakeBroker({ connack: (v) => (v === 5 ? 0x88 : 3) });
    close = b.close;
    const err = await source(b.port, logs().log).catch((e: unknown) => e);
    expect((err as BasinError).code).toBe('INGEST_MQTT_REFUSED');
    expect(b.connects).toHaveLength(1);
  });
});
