import net from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { CommittedAck, decodeHj212Frame, HJ212_CN, parseHj212Segment, splitHj212Stream, topics, type DeviceStatus } from '@basin/schemas';
import { ReconnectBackoff, type Logger } from '@basin/platform';

/**
 * Lanes are the simulator's connections. An MQTT lane is one client (one client id, one birth
 * message and last will); an HJ 212 lane is one TCP connection to an HJ 212 listener. Lanes
 * reconnect by themselves with backoff; on every disconnect the engine returns the lane's
 * in-flight messages to the outbox.
 */
export interface Lane {
  readonly index: number;
  readonly clientId: string;
  readonly ready: boolean;
  readonly inflight: number;
  /** Send; `done(err)` runs once the peer acknowledged (QoS 1 PUBACK / HJ 212 answer / write). */
  send(topic: string, payload: Buffer | string, retain: boolean, done: (err?: Error) => void): void;
  close(): Promise<void>;
}

export interface LaneEvents {
  onUp(lane: Lane): void;
  onDown(lane: Lane, err?: Error): void;
  /** The platform confirmed committed sequence numbers (end-to-end delivery). */
  onCommitted?(ack: CommittedAck): void;
}

export type ProtocolChoice = 'auto' | '5' | '3.1.1';

export interface MqttLaneOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  qos: 0 | 1 | 2;
  protocol: ProtocolChoice;
  /** Birth / will document (DeviceStatus without state and ts). */
  status: Omit<DeviceStatus, 'v' | 'state' | 'ts' | 'client'>;
  log: Logger;
  /** Extra mqtt.js options (tests). */
  mqttOptions?: IClientOptions;
  /**
   * Topic filters of the commit confirmations to subscribe to (basin/v1/committed/...), on
   * every connection before anything is sent; empty = no end-to-end confirmation.
   */
  committed?: string[];
}

/** Filters per SUBSCRIBE packet. */
const SUBSCRIBE_CHUNK = 500;
const COMMITTED_PREFIX = topics.committed('x').slice(0, -1);

/**
 * Reconnect delays: full jitter over a window doubling from 200 ms to 5 s (platform backoff.ts), so
 * thousands of lanes that lose the broker together do not reconnect in one burst.
 */
const newBackoff = () => new ReconnectBackoff({ baseMs: 200, maxMs: 5000 });

export class MqttLane implements Lane {
  private client: MqttClient | null = null;
  private gen = 0;
  private up = false;
  private closing = false;
  private readonly backoff = newBackoff();
  private timer: NodeJS.Timeout | null = null;
  private version: 4 | 5;
  private versionLocked: boolean;
  inflight = 0;

  constructor(
    readonly index: number,
    private readonly opts: MqttLaneOptions,
    private readonly events: LaneEvents,
  ) {
    this.version = opts.protocol === '3.1.1' ? 4 : 5;
    this.versionLocked = opts.protocol !== 'auto';
  }

  get clientId(): string {
    return this.opts.clientId;
  }

  get ready(): boolean {
    return this.up;
  }

  /** MQTT protocol level in use (5 or 4 = 3.1.1). */
  get protocolVersion(): 4 | 5 {
    return this.version;
  }

  private statusPayload(state: 'online' | 'offline', reason?: string): string {
    const doc: DeviceStatus = { v: 1, client: this.opts.clientId, state, ts: Date.now(), ...this.opts.status, ...(reason ? { reason } : {}) };
    return JSON.stringify(doc);
  }

  /** Connect; resolves on the first successful connection (or rejects after the first failure if `failFast`). */
  connect(failFast = false): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const attempt = () => {
        if (this.closing) return;
        const gen = ++this.gen;
        let connacked = false;
        const client = mqtt.connect(this.opts.url, {
          clientId: this.opts.clientId,
          username: this.opts.username,
          password: this.opts.password,
          protocolVersion: this.version,
          clean: true,
          reconnectPeriod: 0,
          connectTimeout: 5000,
          keepalive: 30,
          will: { topic: topics.status(this.opts.clientId), payload: Buffer.from(this.statusPayload('offline', 'connection lost')), qos: 1, retain: true },
          ...this.opts.mqttOptions,
        });
        this.client = client;
        client.on('message', (topic, payload) => {
          if (gen === this.gen && topic.startsWith(COMMITTED_PREFIX)) this.onCommitted(payload);
        });
        client.on('connect', () => {
          if (gen !== this.gen) return;
          connacked = true;
          // Small QoS 1 messages: send at once instead of waiting on Nagle's algorithm.
          (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
          this.versionLocked = true;
          this.backoff.reset();
          // The confirmations are subscribed to before anything is sent (clean session: again
          // on every connection), so none for this connection's messages can be missed.
          void this.subscribeCommitted(client).then(
            () => gen === this.gen && up(),
            (err: Error) => gen === this.gen && lost(err),
          );
        });
        const up = () => {
          this.up = true;
          this.inflight = 0;
          client.publish(topics.status(this.opts.clientId), this.statusPayload('online'), { qos: 1, retain: true });
          this.events.onUp(this);
          if (!settled) {
            settled = true;
            resolve();
          }
        };
        client.on('error', (err) => {
          if (gen !== this.gen) return;
          this.opts.log.debug({ client: this.opts.clientId, err: err.message }, 'mqtt error');
          // A 3.1.1-only broker refuses MQTT 5 (return code 1, or a plain close): lost() falls back.
          lost(err);
        });
        client.on('close', () => lost());
        const lost = (err?: Error) => {
          if (gen !== this.gen) return;
          this.gen++;
          const wasUp = this.up;
          this.up = false;
          this.inflight = 0;
          client.removeAllListeners();
          client.on('error', () => undefined);
          client.end(true);
          // A broker that refused MQTT 5 is retried at once with 3.1.1 (also when failing fast).
          const fallback = !connacked && !this.versionLocked && this.version === 5;
          if (fallback) this.version = 4;
          else if (!connacked && !this.versionLocked && this.version === 4) this.version = 5;
          if (wasUp) this.events.onDown(this, err);
          if (this.closing) return;
          if (fallback) {
            this.timer = setTimeout(attempt, 0);
            return;
          }
          if (failFast && !settled) {
            settled = true;
            reject(err ?? new Error('connection closed'));
            return;
          }
          this.timer = setTimeout(attempt, this.backoff.next());
        };
      };
      attempt();
    });
  }

  private async subscribeCommitted(client: MqttClient): Promise<void> {
    const filters = this.opts.committed ?? [];
    for (let i = 0; i < filters.length; i += SUBSCRIBE_CHUNK) {
      const granted = await client.subscribeAsync(filters.slice(i, i + SUBSCRIBE_CHUNK), { qos: 1 });
      const refused = granted.find((g) => g.qos > 2);
      if (refused) throw new Error(`subscription to ${refused.topic} refused (reason ${refused.qos})`);
    }
  }

  private onCommitted(payload: Buffer): void {
    let doc: unknown;
    try {
      doc = JSON.parse(payload.toString('utf8'));
    } catch {
      doc = null;
    }
    const ack = CommittedAck.safeParse(doc);
    if (!ack.success) {
      this.opts.log.debug({ client: this.opts.clientId }, 'ignored a malformed commit confirmation');
      return;
    }
    this.events.onCommitted?.(ack.data);
  }

  send(topic: string, payload: Buffer | string, retain: boolean, done: (err?: Error) => void): void {
    const client = this.client;
    if (!client || !this.up) {
      done(new Error('not connected'));
      return;
    }
    const gen = this.gen;
    this.inflight++;
    client.publish(topic, payload, { qos: this.opts.qos, retain }, (err) => {
      if (gen !== this.gen) return; // the connection was replaced: the engine already re-queued it
      this.inflight--;
      done(err ?? undefined);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    if (!client) return;
    if (this.up) {
      await new Promise<void>((resolve) => {
        client.publish(topics.status(this.opts.clientId), this.statusPayload('offline', 'stopped'), { qos: 1, retain: true }, () => resolve());
        setTimeout(resolve, 2000).unref();
      });
    }
    this.gen++;
    this.up = false;
    await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  }
}

export interface Hj212LaneOptions {
  host: string;
  port: number;
  clientId: string;
  /** Wait for the platform's CN=9014 answer (frames sent with Flag bit 0 set) instead of the TCP write. */
  awaitAnswer: boolean;
  log: Logger;
}

/** One TCP connection to an HJ 212 listener. Frames are the record payloads. */
export class Hj212Lane implements Lane {
  private socket: net.Socket | null = null;
  private up = false;
  private closing = false;
  private readonly backoff = newBackoff();
  private timer: NodeJS.Timeout | null = null;
  private rest: Uint8Array = new Uint8Array(0);
  private readonly waiting = new Map<string, (err?: Error) => void>();
  inflight = 0;

  constructor(
    readonly index: number,
    private readonly opts: Hj212LaneOptions,
    private readonly events: LaneEvents,
  ) {}

  get clientId(): string {
    return this.opts.clientId;
  }

  get ready(): boolean {
    return this.up;
  }

  connect(failFast = false): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const attempt = () => {
        if (this.closing) return;
        const s = net.connect(this.opts.port, this.opts.host);
        this.socket = s;
        s.setNoDelay(true);
        s.on('connect', () => {
          this.up = true;
          this.backoff.reset();
          this.inflight = 0;
          this.events.onUp(this);
          if (!settled) {
            settled = true;
            resolve();
          }
        });
        s.on('data', (chunk: Buffer) => this.onData(chunk));
        s.on('error', (err) => this.opts.log.debug({ err: err.message }, 'hj212 socket error'));
        s.on('close', () => {
          if (this.socket !== s) return;
          this.socket = null;
          const wasUp = this.up;
          this.up = false;
          this.inflight = 0;
          this.waiting.clear();
          if (wasUp) this.events.onDown(this);
          if (this.closing) return;
          if (failFast && !settled) {
            settled = true;
            reject(new Error(`cannot connect to ${this.opts.host}:${this.opts.port}`));
            return;
          }
          this.timer = setTimeout(attempt, this.backoff.next());
        });
      };
      attempt();
    });
  }

  private onData(chunk: Buffer): void {
    const buf = new Uint8Array(this.rest.length + chunk.length);
    buf.set(this.rest, 0);
    buf.set(chunk, this.rest.length);
    const { frames, rest } = splitHj212Stream(buf);
    this.rest = rest.slice();
    for (const f of frames) {
      try {
        const p = parseHj212Segment(decodeHj212Frame(f));
        if (p.cn !== HJ212_CN.DATA_ACK) continue;
        const key = `${p.mn}|${p.qn}`;
        const done = this.waiting.get(key);
        if (done) {
          this.waiting.delete(key);
          this.inflight--;
          done();
        }
      } catch (e) {
        this.opts.log.debug({ err: (e as Error).message }, 'bad HJ 212 answer');
      }
    }
  }

  send(_topic: string, payload: Buffer | string, _retain: boolean, done: (err?: Error) => void): void {
    const s = this.socket;
    if (!s || !this.up) {
      done(new Error('not connected'));
      return;
    }
    this.inflight++;
    if (this.opts.awaitAnswer) {
      const head = typeof payload === 'string' ? payload.slice(6, 120) : payload.toString('latin1', 6, 120);
      const key = `${/MN=([^;]*)/.exec(head)?.[1] ?? ''}|${/QN=(\d+)/.exec(head)?.[1] ?? ''}`;
      this.waiting.set(key, done);
      s.write(payload);
      return;
    }
    s.write(payload, (err) => {
      if (this.socket !== s) return;
      this.inflight--;
      done(err ?? undefined);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    const s = this.socket;
    this.socket = null;
    this.up = false;
    if (s) await new Promise<void>((resolve) => s.end(() => resolve()));
  }
}
