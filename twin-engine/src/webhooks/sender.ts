import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { AddressPolicy } from './address-policy.js';

export interface SendLimits {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  maxResponseBytes: number;
}

export interface SendResult {
  /** HTTP status, or null when there was no response. */
  status: number | null;
  latencyMs: number;
  error: string | null;
  /** First bytes of the response body (for the delivery log). */
  snippet: string | null;
  retryAfter?: string;
}

const SNIPPET = 1024;

/** dns.lookup that refuses addresses the policy denies: the check is on the address connected to. */
export function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      for (const a of list) {
        const why = policy.check(a.address);
        if (why) {
          const e = Object.assign(new Error(`address refused: ${hostname} -> ${why}`), { code: 'EADDRREFUSED_POLICY' });
          return callback(e, '', 0);
        }
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/**
 * POST one webhook. No redirects are followed (a 3xx is returned as a failure status), the target
 * address is checked at connect time, and connect / whole-response timeouts and a response size
 * cap bound every attempt.
 */
export function send(url: string, body: string, headers: Record<string, string>, policy: AddressPolicy, limits: SendLimits): Promise<SendResult> {
  const t0 = performance.now();
  const done = (r: Omit<SendResult, 'latencyMs'>): SendResult => ({ ...r, latencyMs: Math.round((performance.now() - t0) * 10) / 10 });
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return resolve(done({ status: null, error: 'invalid URL', snippet: null }));
    }
    const host = u.hostname.replace(/^\[|\]$/g, '');
    // Literal addresses skip DNS (and so the lookup hook): check them here.
    if (ipaddr.isValid(host)) {
      const why = policy.check(host);
      if (why) return resolve(done({ status: null, error: `address refused: ${why}`, snippet: null }));
    }
    const mod = u.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (r: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      resolve(done(r));
    };
    const req = mod.request(u, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'basin-twin-webhooks/1', ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(policy),
      agent: false,
    });
    const overall = setTimeout(() => {
      req.destroy();
      finish({ status: null, error: `no complete response within ${limits.responseTimeoutMs} ms`, snippet: null });
    }, limits.responseTimeoutMs);
    req.on('socket', (sock) => {
      const connectTimer = setTimeout(() => {
        req.destroy();
        finish({ status: null, error: `connect timeout after ${limits.connectTimeoutMs} ms`, snippet: null });
      }, limits.connectTimeoutMs);
      sock.once(u.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      sock.once('close', () => clearTimeout(connectTimer));
    });
    req.on('error', (e) => finish({ status: null, error: e.message, snippet: null }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (chunks.reduce((n, x) => n + x.length, 0) < SNIPPET) chunks.push(c);
        if (size > limits.maxResponseBytes) {
          res.destroy();
          finish({ status: res.statusCode ?? null, error: `response larger than ${limits.maxResponseBytes} bytes (cut)`, snippet: snippet(chunks), retryAfter: header(res.headers['retry-after']) });
        }
      });
      res.on('end', () => finish({ status: res.statusCode ?? null, error: null, snippet: snippet(chunks), retryAfter: header(res.headers['retry-after']) }));
      res.on('error', (e) => finish({ status: res.statusCode ?? null, error: e.message, snippet: snippet(chunks) }));
    });
    req.end(body);
  });
}

const snippet = (chunks: Buffer[]) => (chunks.length ? Buffer.concat(chunks).subarray(0, SNIPPET).toString('utf8') : null);
const header = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);
