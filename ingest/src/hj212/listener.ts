import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { splitHj212Stream } from '@basin/schemas';
import type { Logger } from '@basin/platform';
import { decodeHj212, type Hj212Decoded, type Hj212Resolver } from './decode.js';

/**
 * HJ 212-2017 TCP listener: data loggers (数采仪) connect and send frames; each complete frame is
 * decoded and handed to `onFrame` with a `reply` callback that the gateway calls after the
 * frame's readings are committed (CN=9014 data response when the frame's Flag asks for one).
 */

export interface Hj212FrameEvent {
  decoded: Hj212Decoded;
  /** raw frame text (for dead letters) */
  raw: string;
  remote: string;
  /** Send the reply (if any) once committed; a no-op after the connection closed. */
  reply(): void;
}

export interface Hj212ListenerOptions {
  host: string;
  port: number;
  idleMs: number;
  resolver: Hj212Resolver;
  log: Logger;
  onFrame(ev: Hj212FrameEvent): void;
  /** Called with junk bytes between frames (dead-lettered by the gateway). */
  onJunk(raw: string, remote: string): void;
  onConnections?(n: number): void;
}

/** Bytes buffered per connection before an unterminated frame is discarded. */
const MAX_BUFFER = 16 * 1024;

export interface Hj212Listener {
  readonly port: number;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startHj212Listener(o: Hj212ListenerOptions): Promise<Hj212Listener> {
  const sockets = new Set<net.Socket>();
  let paused = false;
  const server = net.createServer((socket) => {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    sockets.add(socket);
    o.onConnections?.(sockets.size);
    socket.setTimeout(o.idleMs, () => socket.destroy());
    if (paused) socket.pause();
    let buf: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        const { frames, rest, skipped } = splitHj212Stream(buf, o.resolver.maxSegment);
        if (skipped > 0) o.onJunk(junkOf(buf, [...frames, rest]), remote);
        let resync: Buffer | null = null;
        for (let i = 0; i < frames.length; i++) {
          const f = frames[i]!;
          const decoded = decodeHj212(f, o.resolver);
          if (!decoded.packet) {
            // A frame with a wrong length swallows what follows: resynchronise at the next "##".
            const next = Buffer.from(f.buffer, f.byteOffset, f.byteLength).indexOf('##', 2);
            if (next > 0) {
              emit(Buffer.from(f.subarray(0, next)), decoded);
              resync = Buffer.concat([Buffer.from(f.subarray(next)), ...frames.slice(i + 1).map((x) => Buffer.from(x)), Buffer.from(rest)]);
              break;
            }
          }
          emit(Buffer.from(f), decoded);
        }
        if (resync) {
          buf = resync;
          continue;
        }
        const cut = badLengthEnd(rest);
        if (cut > 0) {
          // "##nnnn" promises more bytes than its line holds: the frame ended at CRLF with a
          // wrong length header. Dead-letter it now instead of waiting for bytes never sent.
          const f = Buffer.from(rest.subarray(0, cut));
          emit(f, decodeHj212(f, o.resolver));
          buf = Buffer.from(rest.subarray(cut));
          continue;
        }
        buf = Buffer.from(rest);
        break;
      }
      if (buf.length > MAX_BUFFER) {
        o.onJunk(buf.toString('latin1'), remote);
        buf = Buffer.alloc(0);
      }
    });
    const emit = (frame: Buffer, decoded: Hj212Decoded) => {
      o.onFrame({
        decoded,
        raw: frame.toString('utf8'),
        remote,
        reply: () => {
          if (decoded.reply && !socket.destroyed && socket.writable) socket.write(decoded.reply);
        },
      });
    };
    socket.on('error', (e) => o.log.debug({ err: e.message, remote }, 'hj212 socket error'));
    socket.on('close', () => {
      // An unfinished frame left when the logger hangs up is dead-lettered, not forgotten.
      if (buf.length > 0) o.onJunk(buf.toString('latin1'), remote);
      buf = Buffer.alloc(0);
      sockets.delete(socket);
      o.onConnections?.(sockets.size);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  o.log.info({ host: o.host, port }, 'HJ 212 listener started');
  return {
    port,
    pause() {
      paused = true;
      for (const s of sockets) s.pause();
    },
    resume() {
      paused = false;
      for (const s of sockets) s.resume();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * When `rest` starts a frame ("##" and a 4-digit length) whose first CRLF comes before the length
 * says the frame ends, the index just past that CRLF; otherwise 0 (wait for more bytes).
 */
export function badLengthEnd(rest: Uint8Array): number {
  if (rest.length < 8 || rest[0] !== 0x23 || rest[1] !== 0x23) return 0;
  const len = Number(String.fromCharCode(...rest.subarray(2, 6)));
  if (!Number.isInteger(len)) return 0;
  const total = 6 + len + 4 + 2;
  for (let i = 6; i + 1 < rest.length && i + 2 < total; i++) if (rest[i] === 0x0d && rest[i + 1] === 0x0a) return i + 2;
  return 0;
}

/** The bytes of buf not covered by the given sub-arrays (frames and the kept tail). */
function junkOf(buf: Buffer, parts: Uint8Array[]): string {
  const out: Buffer[] = [];
  let at = 0;
  for (const p of parts) {
    const start = p.byteOffset - buf.byteOffset;
    if (start > at) out.push(buf.subarray(at, start));
    at = Math.max(at, start + p.byteLength);
  }
  if (at < buf.length) out.push(buf.subarray(at));
  return Buffer.concat(out).toString('latin1');
}
