import net from 'node:net';
import { PlatformErrors } from './errors.js';
import type { Logger } from './logger.js';

export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Start an embedded aedes MQTT broker (MQTT 3.1.1, no shared subscriptions) on host:port.
 * Port 0 picks a free port. For development and single-process deployments only.
 */
export async function startEmbeddedBroker(opts: { host: string; port: number; log?: Logger; fallbackToFreePort?: boolean }): Promise<EmbeddedBroker> {
  const log = opts.log;
  const listen = (server: net.Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    const { Aedes } = await import('aedes'); // loaded on first use, not with @basin/platform
    const aedes = await Aedes.createBroker({ concurrency: 1000, queueLimit: 100_000 });
    aedes.on('clientError', (client, err) => log?.debug({ client: client?.id, err: err.message }, 'mqtt client error'));
    aedes.on('connectionError', (_client, err) => log?.debug({ err: err.message }, 'mqtt connection error'));
    const server = net.createServer(aedes.handle);
    try {
      await listen(server, opts.port);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !(opts.fallbackToFreePort ?? true) || opts.port === 0) throw e;
      log?.warn({ port: opts.port }, 'MQTT port in use (another broker?); the embedded broker takes a free port instead');
      await listen(server, 0);
    }
    const port = (server.address() as net.AddressInfo).port;
    const url = `mqtt://${opts.host}:${port}`;
    log?.info({ url }, 'embedded MQTT broker (aedes) listening');
    return {
      url,
      port,
      async close() {
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  } catch (e) {
    throw PlatformErrors.BROKER_START_FAILED(e);
  }
}
