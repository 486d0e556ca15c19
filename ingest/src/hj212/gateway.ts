import type { Db, Logger } from '@basin/platform';
import type { Station } from '@basin/schemas';
import { LetterSet } from '../classify.js';
import type { Hj212Config } from '../config.js';
import type { IngestMetrics } from '../metrics.js';
import type { Envelope } from '../pipeline.js';
import type { ValidationLimits } from '../validate.js';
import { Hj212Devices } from './devices.js';
import { startHj212Listener, type Hj212Listener } from './listener.js';
import { classifyHj212Frame } from './replies.js';

/**
 * HJ 212 loggers into the pipeline: the TCP listener, the MN → station table, and each frame
 * classified with its reply due only after the commit and only by the reply rule (replies.ts).
 */
export interface Hj212GatewayOptions {
  config: Hj212Config;
  db: Db;
  stations: ReadonlyMap<string, Station>;
  limits: ValidationLimits;
  metrics: IngestMetrics;
  log: Logger;
  submit(env: Envelope): void;
}

export interface Hj212Gateway {
  readonly port: number;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startHj212Gateway(o: Hj212GatewayOptions): Promise<Hj212Gateway> {
  const { config: h, metrics } = o;
  const devices = new Hj212Devices(o.db, h.mnMap, o.stations);
  await devices.load();
  devices.startReloading(60_000);
  let listener: Hj212Listener;
  try {
    listener = await startHj212Listener({
      host: h.host,
      port: h.port,
      idleMs: h.idleMs,
      log: o.log,
      resolver: devices.resolver(h.tzOffsetMin, h.maxSegment),
      onConnections: (n) => metrics.hj212Connections.set(n),
      onJunk: (raw, remote) => {
        metrics.messages.inc({ transport: 'hj212' });
        const source = `hj212://${remote}`;
        const letters = new LetterSet(source, raw);
        letters.add('hj212_bad_frame', 'bytes outside any complete ## frame');
        o.submit({ source, readings: [], letters: letters.list(), ack: () => undefined, receivedAt: Date.now() });
      },
      onFrame: (ev) => {
        metrics.messages.inc({ transport: 'hj212' });
        const now = Date.now();
        const source = `hj212://${ev.decoded.packet?.mn ?? ev.remote}`;
        const c = classifyHj212Frame(ev.decoded, ev.raw, source, o.stations, o.limits, now);
        o.submit({ source, readings: c.readings, letters: c.letters, payload: ev.raw, ack: c.reply ? ev.reply : () => undefined, receivedAt: now });
      },
    });
  } catch (e) {
    devices.stop();
    throw e;
  }
  return {
    port: listener.port,
    pause: () => listener.pause(),
    resume: () => listener.resume(),
    async close() {
      devices.stop();
      await listener.close();
    },
  };
}
