import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import mqttPacket, { type IConnackPacket, type IPublishPacket, type ISubackPacket, type Packet } from 'mqtt-packet';
import { BasinError, ReconnectBackoff, type Logger } from '@basin/platform';
import { IngestErrors } from './errors.js';

/**
 * A small MQTT 3.1.1 / 5 subscriber on mqtt-packet that acknowledges each QoS 1 (or 2) PUBLISH
 * only when the application calls `ack()`: ingest calls it after the batch holding the message is
 * committed, so many messages can be in flight before one commit (mqtt.js acknowledges one
 * message at a time, after its handler returns).
 *
 * Flow control: on MQTT 5 the CONNECT receive maximum bounds the unacknowledged messages the
 * broker sends; on 3.1.1 (Mosquitto's max_inflight_messages) the application calls `pause()`,
 * which stops reading the socket (TCP backpressure), and `resume()` when it has room.
 *
 * The session is persistent (clean = false, session expiry on MQTT 5): while ingest is away or
 * not acknowledging, the broker queues, and it redelivers the unacknowledged messages on
 * reconnect. Acks from a previous connection are dropped (their messages are redelivered; the
 * database absorbs the duplicates).
 */

export interface InboundMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  dup: boolean;
  retain: boolean;
  /** Acknowledge to the broker (PUBACK / PUBREC); a no-op for QoS 0 or after a reconnect. */
  ack(): void;
}

export interface AckingClientOptions {
  url: string;
  clientId: string;
  protocolVersion: 4 | 5;
  username?: string;
  password?: string;
  /** TLS (mqtts://): CA certificate(s), client certificate and key, PEM. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  keepaliveS: number;
  /** MQTT 5 receive maximum (1..65535). */
  receiveMaximum: number;
  sessionExpiryS: number;
  subscriptions: { topic: string; qos: 0 | 1 }[];
  log: Logger;
  /** Reconnect delays: full jitter over a window doubling from min to max (platform backoff.ts). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Random source of the reconnect jitter (tests); Math.random by default. */
  random?: () => number;
  connectTimeoutMs?: number;
}

export interface ConnectInfo {
  protocolVersion: 4 | 5;
  sessionPresent: boolean;
  sharedSubscriptionAvailable: boolean | undefined;
  serverReceiveMaximum: number | undefined;
}

interface Events {
  message: [InboundMessage];
  connect: [ConnectInfo];
  close: [];
  error: [Error];
}

const V5_REFUSE: Record<number, string> = {
  0x80: 'unspecified error',
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8a: 'banned',
};
const V4_REFUSE: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/** MQTT 5 SUBACK reason: shared subscriptions not supported. */
const SHARED_NOT_SUPPORTED = 0x9e;

/** The error for a refused CONNECT, by its CONNACK code (MQTT 5 reason code or 3.1.1 return code). */
export function refusal(v5: boolean, code: number, msg: string): Error {
  if (v5 ? code === 0x86 || code === 0x87 : code === 4 || code === 5) return IngestErrors.MQTT_BAD_CREDENTIALS(code, msg);
  // 0x84 unsupported protocol version; a 3.1.1-only broker answers an MQTT 5 CONNECT with the
  // 3.1.1 return code 1 (unacceptable protocol version).
  if (v5 ? code === 0x84 || code === 1 : code === 1) return IngestErrors.MQTT_PROTOCOL_UNSUPPORTED(code);
  return IngestErrors.MQTT_REFUSED(code, msg);
}

export class AckingMqttClient extends EventEmitter<Events> {
  private socket: net.Socket | null = null;
  /** Incremented per connection: acks of older connections are ignored. */
  private generation = 0;
  private stopped = false;
  private paused = false;
  private connected = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private lastInbound = 0;
  private readonly backoff: ReconnectBackoff;
  private nextId = 1;
  private firstConnect: { resolve: (i: ConnectInfo) => void; reject: (e: Error) => void } | null = null;
  private pendingSub: { id: number; resolve: () => void; reject: (e: Error) => void } | null = null;
  /** Unacknowledged inbound messages on the current connection. */
  private inflight = 0;
  /**
   * PUBACK / PUBREC packets acknowledged in this tick, written as one buffer (a commit
   * acknowledges thousands of messages at once: one socket write each cost more than the ack).
   */
  private ackBytes: Buffer | null = null;
  private ackLen = 0;
  private ackGen = 0;

  private readonly username: string | undefined;
  private readonly password: string | undefined;

  constructor(readonly opts: AckingClientOptions) {
    super();
    this.backoff = new ReconnectBackoff({ baseMs: opts.reconnectMinMs ?? 500, maxMs: opts.reconnectMaxMs ?? 5000, random: opts.random });
    // Credentials in the URL (mqtt://user:password@host) unless given explicitly.
    let u: URL | null = null;
    try {
      u = new URL(opts.url);
    } catch {
      u = null;
    }
    this.username = opts.username ?? (u?.username ? decodeURIComponent(u.username) : undefined);
    this.password = opts.password ?? (u?.password ? decodeURIComponent(u.password) : undefined);
  }

  get isConnected(): boolean {
    return this.connected;
  }
  get inflightCount(): number {
    return this.inflight;
  }

  /** Connect and subscribe; resolves after the first SUBACK, rejects if the first CONNECT is refused. */
  start(): Promise<ConnectInfo> {
    const proto = new URL(this.opts.url).protocol;
    if (!['mqtt:', 'mqtts:', 'tcp:', 'ssl:'].includes(proto)) {
      return Promise.reject(IngestErrors.CONFIG(`ingest connects over TCP or TLS (mqtt://, mqtts://), not ${proto}`));
    }
    return new Promise((resolve, reject) => {
      this.firstConnect = { resolve, reject };
      this.connect();
    });
  }

  /** Stop reading the socket (the broker keeps what it cannot send). Re-applied on each call. */
  pause(): void {
    this.paused = true;
    this.socket?.pause();
  }

  resume(): void {
    this.paused = false;
    this.socket?.resume();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const s = this.socket;
    if (!s) return;
    if (this.connected) this.write({ cmd: 'disconnect' });
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        s.destroy();
        resolve();
      }, 1000);
      s.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      s.end();
    });
  }

  private write(packet: Packet): void {
    this.flushAcks(); // keep acks ahead of anything written after them (e.g. DISCONNECT)
    const s = this.socket;
    if (!s || s.destroyed) return;
    s.write(mqttPacket.generate(packet, { protocolVersion: this.opts.protocolVersion }));
  }

  /**
   * Queue a PUBACK (QoS 1) or PUBREC (QoS 2) for `id`. Both are 4 bytes on MQTT 3.1.1 and on
   * MQTT 5 with reason code 0 (success) and no properties, which may be omitted (MQTT 5 3.4.2.1).
   */
  private queueAck(type: 0x40 | 0x50, id: number): void {
    if (this.ackBytes === null || this.ackGen !== this.generation) {
      this.ackBytes = Buffer.allocUnsafe(1024);
      this.ackLen = 0;
      this.ackGen = this.generation;
      queueMicrotask(() => this.flushAcks());
    } else if (this.ackLen + 4 > this.ackBytes.length) {
      const bigger = Buffer.allocUnsafe(this.ackBytes.length * 2);
      this.ackBytes.copy(bigger, 0, 0, this.ackLen);
      this.ackBytes = bigger;
    }
    const b = this.ackBytes;
    const o = this.ackLen;
    b[o] = type;
    b[o + 1] = 2;
    b[o + 2] = id >> 8;
    b[o + 3] = id & 0xff;
    this.ackLen = o + 4;
  }

  private flushAcks(): void {
    const b = this.ackBytes;
    if (b === null) return;
    this.ackBytes = null;
    const s = this.socket;
    // acks of a closed connection are dropped: the broker redelivers those messages
    if (this.ackGen !== this.generation || !s || s.destroyed || this.ackLen === 0) return;
    s.write(b.subarray(0, this.ackLen));
  }

  private connect(): void {
    if (this.stopped) return;
    const gen = ++this.generation;
    const u = new URL(this.opts.url);
    const secure = u.protocol === 'mqtts:' || u.protocol === 'ssl:';
    const port = Number(u.port || (secure ? 8883 : 1883));
    const host = u.hostname;
    const t = this.opts.tls ?? {};
    const socket = secure ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ca: t.ca, cert: t.cert, key: t.key }) : net.connect({ host, port });
    socket.setNoDelay(true);
    this.socket = socket;
    this.inflight = 0;
    const parser = mqttPacket.parser({ protocolVersion: this.opts.protocolVersion });
    const connectTimeout = setTimeout(() => socket.destroy(new Error('MQTT connect timeout')), this.opts.connectTimeoutMs ?? 10_000);
    parser.on('packet', (p: Packet) => this.onPacket(gen, p, connectTimeout));
    parser.on('error', (e: Error) => {
      this.opts.log.warn({ err: e.message }, 'mqtt protocol error; reconnecting');
      socket.destroy();
    });
    socket.on(secure ? 'secureConnect' : 'connect', () => {
      this.lastInbound = Date.now();
      this.write({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: this.opts.protocolVersion,
        clientId: this.opts.clientId,
        clean: false,
        keepalive: this.opts.keepaliveS,
        ...(this.username ? { username: this.username } : {}),
        ...(this.password ? { password: Buffer.from(this.password) } : {}),
        ...(this.opts.protocolVersion === 5
          ? { properties: { sessionExpiryInterval: this.opts.sessionExpiryS, receiveMaximum: this.opts.receiveMaximum } }
          : {}),
      });
    });
    socket.on('data', (d: Buffer) => {
      this.lastInbound = Date.now();
      parser.parse(d);
    });
    socket.on('error', (e) => {
      if (gen === this.generation) this.opts.log.debug({ err: e.message }, 'mqtt socket error');
    });
    socket.on('close', () => {
      clearTimeout(connectTimeout);
      if (gen !== this.generation) return;
      const wasConnected = this.connected;
      this.connected = false;
      this.socket = null;
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.pingTimer = null;
      this.generation++; // invalidate acks of this connection
      if (this.pendingSub) {
        this.pendingSub.reject(new Error('connection closed before SUBACK'));
        this.pendingSub = null;
      }
      if (wasConnected) this.emit('close');
      if (this.stopped) return;
      if (wasConnected) this.opts.log.warn('mqtt connection lost; reconnecting');
      // Jittered: workers that lost the same broker do not all come back at the same instant.
      this.reconnectTimer = setTimeout(() => this.connect(), this.backoff.next());
    });
    // A new connection is read at least until the next message arrives while the pipeline is
    // still full (then the producer pauses it again): CONNACK and SUBACK must get through.
  }

  private onPacket(gen: number, p: Packet, connectTimeout: NodeJS.Timeout): void {
    if (gen !== this.generation) return;
    switch (p.cmd) {
      case 'connack':
        clearTimeout(connectTimeout);
        this.onConnack(p);
        return;
      case 'publish':
        this.onPublish(gen, p);
        return;
      case 'suback':
        this.onSuback(p);
        return;
      case 'pubrel':
        // QoS 2 second half: the message was already handed over at PUBLISH.
        this.write({ cmd: 'pubcomp', messageId: p.messageId });
        return;
      case 'pingresp':
        return;
      case 'disconnect':
        this.opts.log.warn({ reason: p.reasonCode }, 'broker sent DISCONNECT');
        this.socket?.destroy();
        return;
      default:
        return;
    }
  }

  private onConnack(p: IConnackPacket): void {
    const v5 = this.opts.protocolVersion === 5;
    const code = (v5 ? p.reasonCode : p.returnCode) ?? 0;
    if (code !== 0) {
      const msg = (v5 ? V5_REFUSE[code] : V4_REFUSE[code]) ?? 'refused';
      const err = refusal(v5, code, msg);
      if (this.firstConnect) {
        this.stopped = true;
        this.firstConnect.reject(err);
        this.firstConnect = null;
        this.socket?.destroy();
        return;
      }
      this.opts.log.error({ code, msg }, 'mqtt connection refused; retrying');
      this.socket?.destroy();
      return;
    }
    this.connected = true;
    this.backoff.reset();
    const info: ConnectInfo = {
      protocolVersion: this.opts.protocolVersion,
      sessionPresent: p.sessionPresent,
      sharedSubscriptionAvailable: p.properties?.sharedSubscriptionAvailable,
      serverReceiveMaximum: p.properties?.receiveMaximum,
    };
    const keepaliveMs = (p.properties?.serverKeepAlive ?? this.opts.keepaliveS) * 1000;
    if (keepaliveMs > 0) {
      this.pingTimer = setInterval(() => {
        // No reply within 2 keepalives while we read the socket: the connection is dead.
        if (!this.paused && Date.now() - this.lastInbound > 2 * keepaliveMs) {
          this.opts.log.warn('mqtt keepalive timeout; reconnecting');
          this.socket?.destroy();
          return;
        }
        this.write({ cmd: 'pingreq' });
      }, keepaliveMs / 2);
      this.pingTimer.unref();
    }
    // Subscribe on every connection (idempotent; also restores the subscription if the broker
    // lost the session).
    const id = this.takeId();
    const done = new Promise<void>((resolve, reject) => (this.pendingSub = { id, resolve, reject }));
    this.write({
      cmd: 'subscribe',
      messageId: id,
      subscriptions: this.opts.subscriptions.map((s) => ({ topic: s.topic, qos: s.qos, ...(this.opts.protocolVersion === 5 ? { rh: 1 } : {}) })),
    });
    done.then(
      () => {
        this.emit('connect', info);
        if (this.firstConnect) {
          this.firstConnect.resolve(info);
          this.firstConnect = null;
        }
      },
      (e: Error) => {
        if (this.firstConnect && e instanceof BasinError) {
          this.stopped = true;
          this.firstConnect.reject(e);
          this.firstConnect = null;
          this.socket?.destroy();
        }
      },
    );
  }

  private onSuback(p: ISubackPacket): void {
    const pend = this.pendingSub;
    if (!pend || pend.id !== p.messageId) return;
    this.pendingSub = null;
    const granted = p.granted as number[];
    const refused = this.opts.subscriptions.filter((_, i) => (granted[i] ?? 0x80) >= 0x80).map((s) => s.topic);
    if (granted.some((g) => g === SHARED_NOT_SUPPORTED)) pend.reject(IngestErrors.MQTT_SHARED_UNAVAILABLE(`SUBACK reason 0x9e for ${refused.join(', ')}`));
    else if (refused.length) pend.reject(IngestErrors.MQTT_SUBSCRIBE(refused));
    else pend.resolve();
  }

  private onPublish(gen: number, p: IPublishPacket): void {
    const qos = p.qos;
    const id = p.messageId;
    let acked = false;
    if (qos > 0) this.inflight++;
    const msg: InboundMessage = {
      topic: p.topic,
      payload: Buffer.isBuffer(p.payload) ? p.payload : Buffer.from(p.payload),
      qos,
      dup: p.dup,
      retain: p.retain,
      ack: () => {
        if (acked || qos === 0 || id === undefined) return;
        acked = true;
        if (gen !== this.generation) return; // connection gone: the broker redelivers
        this.inflight--;
        this.queueAck(qos === 1 ? 0x40 : 0x50, id);
      },
    };
    this.emit('message', msg);
  }

  /**
   * Publish (QoS 0 or 1) on the current connection; false when not connected. A QoS 1 message
   * lost with the connection is not resent: its receivers recover by other means (committed
   * confirmations: the device resends, and the next confirmation covers it).
   */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1 = 1): boolean {
    if (!this.connected || !this.socket || this.socket.destroyed) return false;
    this.write({ cmd: 'publish', topic, payload, qos, retain: false, dup: false, ...(qos > 0 ? { messageId: this.takeId() } : {}) });
    return true;
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = id >= 65535 ? 1 : id + 1;
    return id;
  }
}
