import net from 'node:net';
import type { ReadinessCheck } from './health.js';

const DEFAULT_PORTS: Record<string, number> = { 'mqtt:': 1883, 'mqtts:': 8883, 'tcp:': 1883, 'ssl:': 8883, 'tls:': 8883, 'ws:': 80, 'wss:': 443 };

/** Host and port of a broker URL (mqtt://, mqtts://, ws://, …), with the scheme's default port. */
export function brokerAddress(url: string): { host: string; port: number } {
  const u = new URL(url);
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[u.protocol];
  if (!port) throw new Error(`unknown broker URL scheme ${u.protocol}`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * Readiness of the MQTT broker the field path uses: a TCP connection to it opens (the twin-engine
 * itself neither publishes nor subscribes; with the broker down no reading reaches the twin).
 */
export function brokerReachable(url: string, timeoutMs = 2000): ReadinessCheck {
  const { host, port } = brokerAddress(url);
  return {
    name: 'broker',
    check: () =>
      new Promise<void>((resolve, reject) => {
        const s = net.connect({ host, port });
        const done = (err?: Error) => {
          s.destroy();
          if (err) reject(err);
          else resolve();
        };
        s.setTimeout(timeoutMs, () => done(new Error(`no answer from ${host}:${port} in ${timeoutMs} ms`)));
        s.once('connect', () => done());
        s.once('error', (e) => done(e));
      }),
  };
}
