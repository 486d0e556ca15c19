import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BasinError } from './errors.js';
import { bool, databaseEnv, databaseSettings, mqttEnv, parseEnv, port } from './config.js';

const Schema = z.object({ ...databaseEnv, ...mqttEnv, HTTP_PORT: port(8080), FLAG: bool(false) });

describe('parseEnv', () => {
  it('applies defaults on an empty environment (embedded mode)', () => {
    const e = parseEnv(Schema, {});
    expect(e.HTTP_PORT).toBe(8080);
    expect(e.FLAG).toBe(false);
    expect(databaseSettings(e)).toEqual({ mode: 'embedded', dataDir: 'data/timescaledb' });
  });

  it('reports every problem at once', () => {
    let err: unknown;
    try {
      parseEnv(Schema, { HTTP_PORT: '99999', DATABASE_URL: 'mysql://x', MQTT_URL: 'not a url', FLAG: 'maybe' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BasinError);
    const be = err as BasinError;
    expect(be.code).toBe('CONFIG_INVALID');
    const problems = be.details as string[];
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'FLAG', 'HTTP_PORT', 'MQTT_URL']);
    expect(be.message).toContain('HTTP_PORT');
  });

  it.each([
    [{ DATABASE_URL: 'postgres://u:p@db:5432/basin' }, 'server'],
    [{ PGHOST: 'db', PGUSER: 'basin' }, 'server'],
    [{ DATA_DIR: 'memory' }, 'embedded'],
    [{ DATABASE_URL: '' }, 'embedded'],
  ])('database mode for %j is %s', (env, mode) => {
    expect(databaseSettings(parseEnv(Schema, env)).mode).toBe(mode);
  });

  it('keeps "memory" as an in-memory embedded database', () => {
    expect(databaseSettings(parseEnv(Schema, { DATA_DIR: 'memory' }))).toEqual({ mode: 'embedded', dataDir: null });
  });
});
