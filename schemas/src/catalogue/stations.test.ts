import { describe, expect, it } from 'vitest';
import { BASIN_STATIONS, STATION_BY_ID } from './stations.js';

describe('basin station catalogue', () => {
  it('has unique ids', () => {
    expect(new Set(BASIN_STATIONS.map((s) => s.id)).size).toBe(BASIN_STATIONS.length);
    expect(STATION_BY_ID.size).toBe(BASIN_STATIONS.length);
  });

  it.each([
    ['yichang', 53.0],
    ['shashi', 43.0],
    ['hankou', 27.3],
    ['xiantao', 35.1],
  ])('%s carries its warning level %s m', (id, warning) => {
    expect(STATION_BY_ID.get(id)?.levels?.warning).toBe(warning);
  });

  it('orders Yangtze gauges downstream by river-km', () => {
    const order = ['yichang', 'zhicheng', 'shashi', 'jianli', 'luoshan', 'hankou', 'huangshi'];
    const km = order.map((id) => STATION_BY_ID.get(id)?.riverKm ?? NaN);
    expect([...km].sort((a, b) => a - b)).toEqual(km);
  });

  it('places every station inside the Hubei region', () => {
    for (const s of BASIN_STATIONS) {
      expect(s.location.lon, s.id).toBeGreaterThan(108);
      expect(s.location.lon, s.id).toBeLessThan(117);
      expect(s.location.lat, s.id).toBeGreaterThan(28.5);
      expect(s.location.lat, s.id).toBeLessThan(33.5);
    }
  });
});

describe('catalogue completeness against the domain facts', () => {
  it.each([
    ['chenglingji', 32.5],
    ['jiujiang', 20.0],
    ['yicheng', 57.5],
    ['yuekou', 37.9],
    ['qianjiang-dongjing', 39.7],
    ['enshi', 415.5],
    ['gaobazhou', 51.5],
    ['changhu', 32.5],
    ['futou', 22.8],
    ['diaocha', 24.8],
  ])('has %s with warning level %s m', (id, warning) => {
    const s = STATION_BY_ID.get(id);
    expect(s, id).toBeDefined();
    expect(s!.levels?.warning).toBe(warning);
    expect(s!.referenceLevels?.type).toBe('gauge');
  });

  it('has the 13 Wuhan drinking-water intakes, ordered along their rivers, with banks where known', () => {
    const intakes = BASIN_STATIONS.filter((s) => s.kind === 'water_intake');
    expect(intakes).toHaveLength(13);
    expect(intakes.filter((s) => s.river === 'Han')).toHaveLength(4);
    for (const s of intakes) expect(s.riverKm, s.id).not.toBeNull();
    const km = (id: string) => STATION_BY_ID.get(id)!.riverKm!;
    // upstream of 白沙洲 on the Yangtze: 汉武, 金口, 沌口
    for (const id of ['intake-hanwu', 'intake-jinkou', 'intake-zhuankou']) expect(km(id)).toBeLessThan(km('intake-baishazhou'));
    expect(km('intake-yangluo')).toBeGreaterThan(km('hankou'));
    expect(STATION_BY_ID.get('intake-baishazhou')!.bank).toBe('right'); // "Yangtze south bank"
    expect(STATION_BY_ID.get('intake-hanwu')!.bank).toBe('left'); // "Yangtze north bank"
  });

  it('keeps the published coordinates: Zongguan water quality (coarse) and Hankou (sourced)', () => {
    const z = STATION_BY_ID.get('wq-zongguan')!;
    expect([z.location.lon, z.location.lat]).toEqual([114.333333, 30.616667]);
    expect(z.location.approximate).toBe(true);
    const h = STATION_BY_ID.get('hankou')!;
    expect([h.location.lon, h.location.lat]).toEqual([114.283, 30.583]);
    expect(h.location.approximate).toBe(false);
  });

  it('gives reservoirs reservoir levels and no gauge levels', () => {
    for (const id of ['three-gorges', 'danjiangkou']) {
      const s = STATION_BY_ID.get(id)!;
      expect(s.levels).toBeNull();
      expect(s.referenceLevels?.type).toBe('reservoir');
    }
  });
});
