import { describe, expect, it } from 'vitest';
import { BASIN_STATIONS, Station } from '@basin/schemas';
import { BasinModel, levelAt, RESERVOIRS, storageAt } from './network.js';

const model = new BasinModel(BASIN_STATIONS);

describe('basin model', () => {
  it('cuts the rivers into reaches at dams, gauges and confluences', () => {
    expect(model.reachOf('hankou')!.id).toBe('yangtze:han-mouth-huangshi');
    expect(model.reachOf('intake-yujiatou')!.id).toBe('yangtze:han-mouth-huangshi');
    expect(model.reachOf('intake-baishazhou')!.id).toBe('yangtze:luoshan-han-mouth');
    expect(model.reachOf('shashi')!.id).toBe('yangtze:shashi-jianli');
    expect(model.reachOf('air-wuhan')).toBeNull();
    expect(model.stationsOf('yangtze:han-mouth-huangshi')).toEqual(expect.arrayContaining(['hankou', 'intake-yujiatou', 'wq-qixing']));
    expect(model.stationsOf('yangtze:han-mouth-huangshi')[0]).toBe('hankou');
  });

  it('joins the Han into the Yangtze at Wuhan and knows the confluences', () => {
    const lastHan = model.reachOf('wq-zongguan')!;
    expect(lastHan.downstream).toBe('yangtze:han-mouth-huangshi');
    expect(model.reaches.get('yangtze:han-mouth-huangshi')!.upstream.sort()).toEqual([lastHan.id, 'yangtze:luoshan-han-mouth'].sort());
    expect([...model.nodes.values()].filter((n) => n.kind !== 'gauge').map((n) => n.id)).toEqual(expect.arrayContaining(['dongting-outlet', 'qing-mouth', 'han-mouth', 'gezhouba-dam']));
  });

  it('answers upstream / downstream, distance and travel time', () => {
    const yichang = model.pointOf('yichang')!;
    const hankou = model.pointOf('hankou')!;
    expect(model.path(yichang, hankou)).toEqual({ km: 624, hours: expect.closeTo(96, 0) });
    expect(model.path(hankou, yichang)).toBeNull();
    const fromXiantao = model.downstreamOf(model.pointOf('xiantao')!).map((d) => d.station);
    expect(fromXiantao).toContain('intake-zongguan');
    expect(fromXiantao).toContain('intake-yujiatou');
    expect(fromXiantao).not.toContain('intake-baishazhou');
    expect(model.upstreamOf(hankou).map((d) => d.station)).toEqual(expect.arrayContaining(['luoshan', 'hanchuan', 'three-gorges', 'danjiangkou']));
    expect(model.path(model.pointOf('three-gorges')!, model.pointOf('shashi')!)!.hours).toBeCloseTo(36, 0);
  });

  it('relates reservoir storage and level', () => {
    const tgd = RESERVOIRS[0]!;
    expect((storageAt(tgd, 175) - storageAt(tgd, 145)) / 1e9).toBeCloseTo(22.15, 2);
    expect(levelAt(tgd, storageAt(tgd, 160))).toBeCloseTo(160, 6);
  });

  it('places a station provisioned at run time by its position', () => {
    const extra = Station.parse({
      id: 'syn-wq-1', name: { zh: '新站', en: 'new' }, kind: 'water_quality', location: { lon: 113.9, lat: 30.03 }, river: 'Yangtze',
      metrics: ['nh3n'], jurisdiction: { admin: '湖北省', owner: 'x' },
    });
    const m = new BasinModel([...BASIN_STATIONS, extra]);
    const s = m.stations.get('syn-wq-1')!;
    expect(s.km).toBeGreaterThan(435);
    expect(s.km).toBeLessThan(624);
    expect(m.stationsOf(s.reach)).toContain('syn-wq-1');
  });
});
