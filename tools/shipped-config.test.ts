import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * What we ship: Mosquitto's default limits (20 in flight, 1,000 queued) silently drop QoS 1
 * messages under load, so every Mosquitto config sets them; and one config.ts per service reads
 * the environment (scripts/start-all.ts goes through the services' parsers).
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');

function mosquittoSettings(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [k, ...v] = t.split(/\s+/);
    m.set(k!, v.join(' '));
  }
  return m;
}

describe('shipped Mosquitto configuration', () => {
  const conf = mosquittoSettings(read('deploy/mosquitto/mosquitto.conf'));
  it.each([
    // 0 = no limit on messages in flight per client (MQTT 3.1.1; MQTT 5 clients state their own receive maximum)
    ['max_inflight_messages', (v: number) => v === 0 || v >= 1000],
    // the backlog of an outage must fit: far above the default 1,000
    ['max_queued_messages', (v: number) => v === 0 || v >= 100_000],
  ])('%s is set above the dropping default', (key, ok) => {
    const v = conf.get(key);
    expect(v, `${key} missing`).toBeDefined();
    expect(ok(Number(v))).toBe(true);
  });
  it('persists queued messages', () => {
    expect(conf.get('persistence')).toBe('true');
    expect(conf.get('persistence_location')).toBeTruthy();
  });
  it('docker-compose runs Mosquitto with that file', () => {
    const compose = read('docker-compose.yml');
    expect(compose).toMatch(/^\s*-\s*\.\/deploy\/mosquitto\/mosquitto\.conf:\/mosquitto\/config\/mosquitto\.conf(:ro)?\s*$/m);
  });
});

describe('environment', () => {
  const sources = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir)).flatMap((f) => {
      const rel = path.join(dir, f);
      if (statSync(path.join(ROOT, rel)).isDirectory()) return f === 'node_modules' ? [] : sources(rel);
      return /\.(ts|mts|js|mjs)$/.test(f) && !/\.test\.ts$/.test(f) ? [rel] : [];
    });
  it('only the services config.ts files read process.env (scripts and platform go through them)', () => {
    const readers = ['schemas/src', 'platform/src', 'ingest/src', 'twin-engine/src', 'sensors-sim/src', 'scripts']
      .flatMap(sources)
      .filter((f) => /process\.env\b/.test(read(f)));
    expect(readers.sort()).toEqual(['ingest/src/config.ts', 'sensors-sim/src/config.ts', 'twin-engine/src/config.ts']);
  });
});
