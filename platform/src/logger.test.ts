import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './logger.js';

describe('logger', () => {
  it('redacts secrets and credentials in URLs', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ destination }).child({ component: 'test' });
    log.info({ secret: 's3cr3t', sub: { password: 'hunter2' }, databaseUrl: 'postgres://a:b@c/d' }, 'hello');
    await new Promise((r) => setImmediate(r));
    const text = lines.join('');
    expect(text).toContain('"component":"test"');
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('a:b@');
    expect(redactUrl('mqtt://user:pw@broker:1883')).toBe('mqtt://user:***@broker:1883');
  });
});
