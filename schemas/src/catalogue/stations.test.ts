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
