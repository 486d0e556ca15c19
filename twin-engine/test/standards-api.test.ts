import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@basin/platform';
import { bearer, roleKeys, testApp, testDb } from './helpers.js';

let db: Db;
let app: FastifyInstance;
let auth: Record<string, string>;

beforeAll(async () => {
  db = await testDb('embedded');
  app = await testApp(db);
  auth = bearer((await roleKeys(db)).viewer);
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const post = (body: unknown) => app.inject({ method: 'POST', url: '/api/standards/classify', payload: body as object, headers: auth });

describe('POST /api/standards/classify', () => {
  it('classifies a GB 3838-2002 value', async () => {
    const r = await post({ standard: 'GB3838-2002', metric: 'nh3n', value: 1.0, waterBody: 'river' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ class: 'III', limit: 1.0, unit: 'mg/L', waterBody: 'river' });
    expect((await post({ standard: 'GB3838-2002', metric: 'tp', value: 0.1, waterBody: 'reservoir' })).json()).toMatchObject({ class: 'IV', waterBody: 'lake_reservoir' });
  });

  it('computes an HJ 633 IAQI with its category', async () => {
    const r = await post({ standard: 'HJ633-2026', metric: 'pm25', averaging: '24h', value: 75 });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ iaqi: 114, category: { category: 'lightly_polluted', categoryZh: '轻度污染', colour: '#FF7E00' } });
    expect((await post({ standard: 'HJ633-2012', metric: 'pm25', averaging: '24h', value: 75 })).json()).toMatchObject({ iaqi: 100 });
  });

  it('gives the GB 15618-2018 risk', async () => {
    const r = await post({ standard: 'GB15618-2018', metric: 'cd', value: 0.5, soilPh: 6.0, landUse: 'paddy' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ risk: 'at_risk', riskZh: '安全利用类', screening: 0.4, intervention: 2.0 });
  });

  it.each([
    [{ standard: 'GB3838-2002', metric: 'pm25', value: 1 }, 'metric'],
    [{ standard: 'GB3838-2002', metric: 'nh3n', value: 'x' }, 'value'],
    [{ standard: 'GB3838-2002', metric: 'nh3n', value: -1 }, 'value'],
    [{ standard: 'HJ633-2026', metric: 'pm25', value: 75 }, 'averaging'],
    [{ standard: 'HJ633-2026', metric: 'o3', averaging: '24h', value: 75 }, 'averaging'],
    [{ standard: 'GB15618-2018', metric: 'cd', value: 0.5, landUse: 'paddy' }, 'soilPh'],
    [{ standard: 'GB15618-2018', metric: 'cd', value: 0.5, soilPh: 6, landUse: 'forest' }, 'landUse'],
    [{ standard: 'GB3838-2002', metric: 'tn', value: 1, waterBody: 'river' }, 'waterBody'],
    [{ standard: 'ISO', metric: 'nh3n', value: 1 }, 'standard'],
  ])('400 naming the field for %j', async (body, field) => {
    const r = await post(body);
    expect(r.statusCode).toBe(400);
    const j = r.json<{ code: string; message: string; details: { field: string }[] }>();
    expect(j.code).toBe('VALIDATION_FAILED');
    expect(j.details[0]!.field).toBe(`body.${field}`);
  });
});
