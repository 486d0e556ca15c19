import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@basin/platform';
import { loadConfig } from '../src/index.js';
import { testApp, testDb } from './helpers.js';

/** The viewer's Content-Security-Policy allows a tile service's origins only when they are configured. */
describe('viewer CSP and the configured tile service', () => {
  let db: Db;
  beforeAll(async () => {
    db = await testDb('embedded');
  });
  afterAll(async () => {
    await db?.close();
  });

  const csp = async (env: Record<string, string>) => {
    const app = await testApp(db, env);
    try {
      const r = await app.inject('/api/health');
      return String(r.headers['content-security-policy']);
    } finally {
      await app.close();
    }
  };
  const directive = (policy: string, name: string) => policy.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';

  it('allows no other host by default', async () => {
    const p = await csp({});
    expect(directive(p, 'img-src')).toBe("img-src 'self' data: blob:");
    expect(directive(p, 'connect-src')).toBe("connect-src 'self' data: blob:");
  });

  it('allows the configured tile origins for images and fetches, nothing else', async () => {
    const p = await csp({ VIEWER_TILE_ORIGINS: 'https://tiles.example.org, https://*.tianditu.gov.cn' });
    for (const d of ['img-src', 'connect-src']) {
      expect(directive(p, d)).toContain('https://tiles.example.org');
      expect(directive(p, d)).toContain('https://*.tianditu.gov.cn');
    }
    expect(directive(p, 'script-src')).not.toContain('tiles.example.org');
    expect(directive(p, 'default-src')).toBe("default-src 'self'");
  });

  it.each([['tiles.example.org'], ['https://tiles.example.org/wmts'], ["https://x.org 'unsafe-inline'"]])('refuses %s as an origin', (bad) => {
    expect(() => loadConfig({ VIEWER_TILE_ORIGINS: bad })).toThrow();
  });
});
