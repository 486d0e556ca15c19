import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { brokerAddress, brokerReachable } from './broker-check.js';

describe('broker readiness', () => {
  it.each([
    ['mqtt://mosquitto', { host: 'mosquitto', port: 1883 }],
    ['mqtts://mosquitto:8883', { host: 'mosquitto', port: 8883 }],
    ['mqtts://broker.example', { host: 'broker.example', port: 8883 }],
    ['mqtt://user:secret@10.0.0.5:1884', { host: '10.0.0.5', port: 1884 }],
    ['ws://[::1]:9001/mqtt', { host: '::1', port: 9001 }],
  ])('%s', (url, want) => {
    expect(brokerAddress(url)).toEqual(want);
  });

  it('refuses an unknown scheme', () => {
    expect(() => brokerAddress('http://x')).toThrow(/scheme/);
  });

  it('is ready when the broker accepts a connection, not when nothing listens', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await expect(brokerReachable(`mqtt://127.0.0.1:${port}`).check()).resolves.toBeUndefined();
    await new Promise<void>((r) => server.close(() => r()));
    await expect(brokerReachable(`mqtt://127.0.0.1:${port}`).check()).rejects.toThrow(/ECONNREFUSED/);
  });
});
