import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STATION_BY_ID } from './stations.js';

/** Every level printed in the facts file is a record of the catalogue station (any revision). */
const facts = JSON.parse(readFileSync(new URL('../../data/domain/domain-facts.json', import.meta.url), 'utf8')) as {
  hydrology: Record<string, unknown[]>;
};

type Lv = Record<string, number | null | undefined>;
interface FactStation {
  id?: string;
  name_zh: string;
  levels_2023?: Lv;
  levels_2016?: Lv;
}

const ID_BY_NAME: Record<string, string> = {
  '洪湖(挖沟咀)': 'honghu',
  '梁子湖(梁子镇)': 'liangzi',
  长湖: 'changhu',
  '斧头湖(三洲)': 'futou',
  '汈汊湖(五房台)': 'diaocha',
  恩施: 'enshi',
  高坝洲: 'gaobazhou',
};
const ID_ALIAS: Record<string, string> = { matouzhen_wuxue: 'wuxue', qianjiang_dongjing: 'qianjiang-dongjing' };
// Not in the catalogue: outside Hubei's reach of the model, or levels only in flows
const NOT_CATALOGUED = new Set(['baihe', 'huangjiagang', 'hukou', 'datong']);

const rows: [string, string, number][] = [];
for (const group of ['stations_yangtze', 'stations_han', 'stations_qing', 'lakes']) {
  for (const f of facts.hydrology[group] as FactStation[]) {
    const id = f.id ? (ID_ALIAS[f.id] ?? f.id) : ID_BY_NAME[f.name_zh];
    if (!id || NOT_CATALOGUED.has(id)) continue;
    const l23 = f.levels_2023 ?? {};
    const l16 = f.levels_2016 ?? {};
    const add = (kind: string, v: number | null | undefined) => v != null && rows.push([id, kind, v]);
    add('fortification', l23['setup_设防_m']);
    add('warning', l23['warning_警戒_m']);
    add('guaranteed', l23['guaranteed_保证_m']);
    add('fortification', l16.setup);
    add('warning', l16.warning);
    add('historicalMax', l16.historical_max);
  }
}

describe('catalogue reference levels match domain-facts.json', () => {
  it('covers the stations of the facts', () => expect(new Set(rows.map((r) => r[0])).size).toBeGreaterThanOrEqual(24));

  it.each(rows)('%s %s %s m', (id, kind, value) => {
    const ref = STATION_BY_ID.get(id)?.referenceLevels;
    expect(ref, id).toBeTruthy();
    if (kind === 'historicalMax') {
      // a dated record from a later source may supersede the 2016 table's maximum
      expect(ref!.historicalMax!.value).toBeGreaterThanOrEqual(value);
      return;
    }
    expect(ref!.levels.filter((l) => l.kind === kind).map((l) => l.value)).toContain(value);
  });

  it('records the reservoirs of the facts', () => {
    const tgr = STATION_BY_ID.get('three-gorges')!.referenceLevels!;
    expect(tgr.levels.map((l) => [l.kind, l.value])).toEqual(expect.arrayContaining([['flood_limit', 145], ['normal_pool', 175]]));
    const djk = STATION_BY_ID.get('danjiangkou')!.referenceLevels!;
    expect(djk.levels.map((l) => [l.kind, l.value])).toEqual(
      expect.arrayContaining([['flood_limit', 160], ['flood_limit', 163.5], ['normal_pool', 170], ['dead', 150]]),
    );
  });
});
