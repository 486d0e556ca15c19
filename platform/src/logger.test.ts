import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactText, redactUrl, type LoggerOptions } from './logger.js';

function capture(opts: LoggerOptions = {}) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { log: createLogger({ ...opts, destination }), text: async () => (await new Promise((r) => setImmediate(r)), lines.join('')) };
}

const PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----';

describe('logger', () => {
  it('redacts secrets and credentials in URLs', async () => {
    const { log, text } = capture();
    log.child({ component: 'test' }).info({ secret: 's3cr3t', sub: { password: 'hunter2' }, databaseUrl: 'postgres://a:b@c/d' }, 'hello');
    const t = await text();
    expect(t).toContain('"component":"test"');
    expect(t).not.toContain('s3cr3t');
    expect(t).not.toContain('hunter2');
    expect(t).not.toContain('a:b@');
    expect(redactUrl('mqtt://user:pw@broker:1883')).toBe('mqtt://user:***@broker:1883');
  });

  it('redacts passwords in any URL, in messages, nested fields and errors, and private keys', async () => {
    const { log, text } = capture();
    log.warn({ broker: 'mqtts://dev:pa55word@mqtt.example.org:8883', opts: { url: 'postgres://basin:dbpw@db/basin', list: 'x' }, key: 'k3y', tls: { privateKey: 'pk' } }, 'connecting to mqtt://ingest:msgpw@broker');
    log.error({ err: new Error('connect ECONNREFUSED postgres://basin:errpw@db:5432/basin') }, 'failed');
    log.info({ pem: PEM }, 'loaded');
    const t = await text();
    for (const secret of ['pa55word', 'dbpw', 'msgpw', 'errpw', 'k3y', '"pk"', 'MIGHAgEA']) expect(t).not.toContain(secret);
    expect(t).toContain('mqtts://dev:[redacted]@mqtt.example.org:8883');
    expect(t).toContain('connecting to mqtt://ingest:[redacted]@broker');
    expect(t).toContain('ECONNREFUSED postgres://basin:[redacted]@db:5432/basin');
    expect(t).toContain('[redacted private key]');
  });

  it.each([
    ['http://example.org/path', 'http://example.org/path'],
    ['mqtt://user@broker', 'mqtt://user@broker'],
    ['a postgresql://u:p@h/d and mqtt://v:q@b', 'a postgresql://u:[redacted]@h/d and mqtt://v:[redacted]@b'],
  ])('redactText(%j)', (input, expected) => expect(redactText(input)).toBe(expected));

  it('writes readable lines to a terminal, JSON otherwise', async () => {
    const pretty = capture({ pretty: true });
    pretty.log.info({ station: 'hankou' }, 'stored');
    const p = await pretty.text();
    expect(p).toMatch(/INFO.*stored/);
    expect(() => JSON.parse(p)).toThrow();
    const json = capture();
    json.log.info('stored');
    expect(JSON.parse(await json.text())).toMatchObject({ msg: 'stored', level: 30 });
  });
});
