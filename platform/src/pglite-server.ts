import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import type { Logger } from './logger.js';

/**
 * Serve a PGlite(-TimescaleDB) instance over the PostgreSQL wire protocol, so the production `pg`
 * code path runs against it (tests, the pglite-server process, local experiments).
 *
 * PGlite runs a single backend session. Serving it by handing raw socket chunks to PGlite (as
 * @electric-sql/pglite-socket 0.0.19 does) breaks on protocol messages larger than one socket read
 * (about 64 KB: a 2,000-reading batch insert crashes the wasm backend) and when a client dies
 * mid-message or inside a transaction. This server frames the protocol itself: it hands PGlite
 * only complete messages, serves one connection at a time (others wait: use a pool of one), and
 * when a client goes away with a request or a transaction open it ends it (Sync + ROLLBACK) before
 * the next client gets the session. Not for production: PGlite does not fsync.
 */
export interface PgliteWireServer {
  readonly port: number;
  readonly url: string;
  /** Stop listening, drop clients and wait until the session is free (the PGlite stays open). */
  stop(): Promise<void>;
}

const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);
const TERMINATE = 0x58;
function query(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`);
  const b = Buffer.alloc(5 + text.length);
  b.write('Q', 0);
  b.writeInt32BE(4 + text.length, 1);
  text.copy(b, 5);
  return b;
}

/** Split complete messages off a buffer; the startup message has no type byte. */
function takeMessages(buf: Buffer, startup: boolean): { msgs: Buffer[]; rest: Buffer } {
  let at = 0;
  const msgs: Buffer[] = [];
  for (;;) {
    if (startup && msgs.length === 0) {
      if (buf.length - at < 4) break;
      const len = buf.readInt32BE(at);
      if (len < 8 || buf.length - at < len) break;
      msgs.push(buf.subarray(at, at + len));
      at += len;
      continue;
    }
    if (buf.length - at < 5) break;
    const len = buf.readInt32BE(at + 1);
    if (buf.length - at < 1 + len) break;
    msgs.push(buf.subarray(at, at + 1 + len));
    at += 1 + len;
  }
  return { msgs, rest: buf.subarray(at) };
}

/** Transaction status of the last ReadyForQuery in a response, or null if none. */
function lastReadyStatus(out: Uint8Array): string | null {
  let at = 0;
  let status: string | null = null;
  const b = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  while (b.length - at >= 5) {
    const len = b.readInt32BE(at + 1);
    if (b[at] === 0x5a && len === 5) status = String.fromCharCode(b[at + 5]!);
    at += 1 + len;
  }
  return status;
}

export async function servePglite(pgl: PGlite, opts: { host?: string; port: number; log?: Logger }): Promise<PgliteWireServer> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log;
  /** One connection at a time holds the PGlite session. */
  let active: Promise<void> = Promise.resolve();
  const sockets = new Set<net.Socket>();

  function serve(client: net.Socket): void {
    sockets.add(client);
    let release!: () => void;
    const turn = active;
    active = new Promise<void>((r) => (release = r));
    let buf: Buffer = Buffer.alloc(0);
    let startup = true;
    let sslAnswered = false;
    let txStatus = 'I';
    let busy = false;
    let closed = false;
    let work: Promise<void> = turn;
    const run = (msgs: Buffer[]) => {
      work = work.then(async () => {
        if (closed) return;
        busy = true;
        const out = await pgl.execProtocolRaw(Buffer.concat(msgs));
        const st = lastReadyStatus(out);
        if (st) {
          txStatus = st;
          busy = false;
        }
        if (!closed && out.length > 0) client.write(out);
      });
      work.catch((e: unknown) => {
        log?.error({ err: (e as Error).message }, 'protocol error; closing the connection');
        client.destroy();
      });
    };
    client.on('data', (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      // SSLRequest (8 bytes, code 80877103): answer "no SSL".
      if (startup && !sslAnswered && buf.length >= 8 && buf.readInt32BE(0) === 8 && buf.readInt32BE(4) === 80877103) {
        sslAnswered = true;
        buf = buf.subarray(8);
        client.write('N');
      }
      const { msgs, rest } = takeMessages(buf, startup);
      buf = Buffer.from(rest);
      if (msgs.length === 0) return;
      startup = false;
      const keep = msgs.filter((m) => m[0] !== TERMINATE);
      if (keep.length) run(keep);
      if (keep.length < msgs.length) work.finally(() => client.end());
    });
    client.on('error', () => undefined);
    client.on('close', () => {
      sockets.delete(client);
      void work
        .catch(() => undefined)
        .then(async () => {
          closed = true;
          // End whatever the client left open before the next client gets the session.
          if (!startup && (busy || txStatus !== 'I')) await pgl.execProtocolRaw(Buffer.concat([SYNC, query('ROLLBACK')]));
        })
        .catch((e: unknown) => log?.error({ err: (e as Error).message }, 'cleanup after a client failed'))
        .finally(() => release());
    });
  }

  const server = net.createServer(serve);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `postgresql://postgres@${host}:${port}/postgres?sslmode=disable`,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of sockets) c.destroy();
      });
      await active;
    },
  };
}
