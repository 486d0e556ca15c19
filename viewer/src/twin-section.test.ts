import { describe, expect, it } from 'vitest';
import { damSection, sectionModel, waterPolygon, type Pt2 } from './twin-section';

const hankou = { setup: 25.0, warning: 27.3, guaranteed: 29.73, historicalMax: 29.73 };

describe('gauge cross-section', () => {
  it('puts the dyke crest 2 m above 保证 / the record and the bed below 设防', () => {
    const m = sectionModel(hankou, 20)!;
    expect(m.crest).toBeCloseTo(31.73);
    expect(m.bed).toBeLessThan(20 - 8 + 1e-9);
    expect(m.floodplain).toBe(24);
    expect(m.marks.map((x) => x.key)).toEqual(['setup', 'warning', 'guaranteed', 'record']);
    expect(Math.max(...m.ground.map((p) => p[1]))).toBeCloseTo(m.crest);
  });

  it.each([
    ['low water stays in the channel', 20, (xs: number[]) => Math.max(...xs.map(Math.abs)) < 500],
    ['above 设防 spreads over the floodplain to the dykes', 27.5, (xs: number[]) => Math.max(...xs.map(Math.abs)) > 700],
  ])('%s', (_, stage, check) => {
    const m = sectionModel(hankou, stage)!;
    expect(m.water.length).toBeGreaterThanOrEqual(3);
    expect(m.water.every(([, y]) => y <= stage + 1e-9)).toBe(true);
    expect(check(m.water.map(([x]) => x))).toBe(true);
  });

  it('no stage: no water; no levels: no section; a forecast adds its mark', () => {
    expect(sectionModel(hankou, null)!.water).toEqual([]);
    expect(sectionModel({ setup: null, warning: null, guaranteed: null }, 10)).toBeNull();
    expect(sectionModel(hankou, 26, 28.1)!.marks.at(-1)).toEqual({ key: 'forecast', value: 28.1 });
  });

  it('water polygon of a V between two crests', () => {
    const g: Pt2[] = [[-20, 10], [-10, 10], [0, 0], [10, 10], [20, 10]];
    expect(waterPolygon(g, 5)).toEqual([[-5, 5], [0, 0], [5, 5]]);
    expect(waterPolygon(g, -1)).toEqual([]);
  });
});

describe('dam section', () => {
  const tgr = { dead: 145, floodLimit: 145, normalPool: 175, floodControlHigh: null, record: null };
  it('pool against the levels, tailwater below the crest, marks on the pool side', () => {
    const m = damSection(tgr, 160)!;
    expect(m.crest).toBe(185);
    expect(m.bed).toBeLessThan(145);
    expect(m.water.every(([x, y]) => x <= -40 && y <= 160)).toBe(true);
    expect(Math.max(...m.water.map(([, y]) => y))).toBe(160);
    expect(m.tail.every(([x, y]) => x > 0 && y < 145)).toBe(true);
    expect(m.marks.map((x) => [x.key, x.value])).toEqual([['dead', 145], ['floodLimit', 145], ['normalPool', 175]]);
    expect(m.markSpan[1]).toBe(-40);
  });
  it('no level known: nothing; no pool: no water', () => {
    expect(damSection({ dead: null, floodLimit: null, normalPool: null, floodControlHigh: null, record: null }, 150)).toBeNull();
    expect(damSection(tgr, null)!.water).toEqual([]);
  });
});
