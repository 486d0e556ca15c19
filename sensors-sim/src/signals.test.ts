import { describe, expect, it } from 'vitest';
import { METRICS, STATION_BY_ID } from '@basin/schemas';
import { dischargeOf, GAUGE_HYDRAULICS, pulseArrival, ratingFor, stageOf, travelHours } from './hydro.js';
import { listScenarios, resolveScenario } from './scenario.js';
import { SignalModel } from './signals.js';
import { selectStations, type SimStation } from './stations.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 6, 1, 16); // 2026-07-02 00:00 CST
const stations = selectStations({ seed: 7, count: 120 });
const byId = new Map(stations.map((s) => [s.id, s]));
const st = (id: string): SimStation => byId.get(id)!;

function series(model: SignalModel, s: SimStation, metric: string, hours: number, stepH = 1): number[] {
  const i = s.metrics.indexOf(metric as never);
  return Array.from({ length: Math.floor(hours / stepH) + 1 }, (_, k) => model.sample(s, T0 + k * stepH * HOUR)[i]!);
}

describe('signals are bounded', () => {
  it.each(listScenarios().map((s) => [s.name]))('%s: every value of every station lies in the metric valid range and is finite', (name) => {
    const model = new SignalModel(resolveScenario(name), 7, T0, HOUR);
    for (const s of stations) {
      for (let h = 0; h <= 240; h += 7) {
        const v = model.sample(s, T0 + h * HOUR);
        s.metrics.forEach((m, i) => {
          expect(Number.isFinite(v[i])).toBe(true);
          expect(v[i]).toBeGreaterThanOrEqual(METRICS[m].validMin);
          expect(v[i]).toBeLessThanOrEqual(METRICS[m].validMax);
        });
      }
    }
  });

  it('keeps main-stem water quality mostly within GB 3838 class II-III under normal conditions', () => {
    const model = new SignalModel(resolveScenario('normal'), 7, T0, HOUR);
    const wq = stations.filter((s) => s.station.kind === 'water_quality');
    let samples = 0;
    let worseThanIII = 0;
    for (const s of wq) {
      for (let h = 0; h < 24 * 14; h += 5) {
        const v = model.sample(s, T0 + h * HOUR);
        const get = (m: string) => v[s.metrics.indexOf(m as never)]!;
        samples++;
        // class III limits: DO >= 5, CODMn <= 6, NH3-N <= 1.0, TP <= 0.2 (rivers)
        if (get('do') < 5 || get('codmn') > 6 || get('nh3n') > 1 || get('tp') > 0.2) worseThanIII++;
      }
    }
    expect(worseThanIII / samples).toBeLessThan(0.05);
  });
});

describe('determinism', () => {
  it('same seed gives the same values, another seed other values', () => {
    const sc = resolveScenario('normal');
    const a = new SignalModel(sc, 1, T0, HOUR);
    const b = new SignalModel(sc, 1, T0, HOUR);
    const c = new SignalModel(sc, 2, T0, HOUR);
    const s = st('wq-zongguan');
    expect(series(a, s, 'do', 48)).toEqual(series(b, s, 'do', 48));
    expect(series(a, s, 'do', 48)).not.toEqual(series(c, s, 'do', 48));
  });

  it('synthetic stations are the same for the same seed', () => {
    const x = selectStations({ seed: 5, count: 200 }).map((s) => s.station);
    const y = selectStations({ seed: 5, count: 200 }).map((s) => s.station);
    expect(x).toEqual(y);
    expect(x.filter((s) => s.synthetic).every((s) => s.id.startsWith('syn-'))).toBe(true);
  });
});

describe('diurnal phase', () => {
  // Mean by hour of day (CST) over 10 days; peak hour must fall in the expected window.
  function peakHour(model: SignalModel, s: SimStation, metric: string): number {
    const sums = new Array<number>(24).fill(0);
    const i = s.metrics.indexOf(metric as never);
    for (let h = 0; h < 240; h++) sums[h % 24]! += model.sample(s, T0 + h * HOUR)[i]!;
    return sums.indexOf(Math.max(...sums));
  }
  it.each([
    ['honghu', 'do', 12, 18],
    ['honghu', 'ph', 12, 18],
    ['honghu', 'water_temp', 13, 19],
    ['air-wuhan', 'o3', 12, 18],
    ['air-wuhan', 'air_temp', 12, 17],
    ['soil-qianjiang', 'soil_temp', 13, 19],
  ])('%s %s peaks between %i:00 and %i:00 CST', (id, metric, lo, hi) => {
    const h = peakHour(new SignalModel(resolveScenario('normal'), 3, T0, HOUR), st(id), metric);
    expect(h).toBeGreaterThanOrEqual(lo);
    expect(h).toBeLessThanOrEqual(hi);
  });

  it('PM2.5 is higher in winter and O3 higher in summer', () => {
    const winter = new SignalModel({ ...resolveScenario('normal'), seasonDoy: 15 }, 3, T0, HOUR);
    const summer = new SignalModel({ ...resolveScenario('normal'), seasonDoy: 196 }, 3, T0, HOUR);
    const mean = (m: SignalModel, metric: string) => {
      const xs = series(m, st('air-wuhan'), metric, 24 * 20, 3);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(mean(winter, 'pm25')).toBeGreaterThan(1.5 * mean(summer, 'pm25'));
    expect(mean(summer, 'o3')).toBeGreaterThan(1.5 * mean(winter, 'o3'));
  });
});

describe('hydrology', () => {
  it.each(Object.entries(GAUGE_HYDRAULICS))('%s: stage and discharge are consistent through the rating curve', (id, g) => {
    const warning = STATION_BY_ID.get(id)!.levels!.warning!;
    const r = ratingFor(g, warning);
    expect(stageOf(r, g.qWarn)).toBeCloseTo(warning, 6);
    expect(stageOf(r, g.qMean)).toBeCloseTo(g.hMean, 6);
    for (const q of [g.qMean / 3, g.qMean, g.qWarn, g.qWarn * 1.3]) expect(dischargeOf(r, stageOf(r, q))).toBeCloseTo(q, 3);
    expect(stageOf(r, g.qWarn * 1.1)).toBeGreaterThan(stageOf(r, g.qWarn));
  });

  it.each([
    // published travel times (domain-facts): TGD -> Shashi ~1.5 d; Yichang -> Hankou ~4 d
    ['Three Gorges -> Shashi', -44, 148, 36],
    ['Yichang -> Hankou', 0, 624, 96],
  ])('travel time %s (km %i to %i) is %i h', (_n, from, to, hours) => {
    expect(travelHours('Yangtze', to) - travelHours('Yangtze', from)).toBeCloseTo(hours, 6);
  });

  it('a flood pulse arrives later and lower downstream', () => {
    const src = { river: 'Yangtze' as const, km: -44, peak: 30000, at: T0, sigmaH: 30 };
    const gauges = ['yichang', 'shashi', 'jianli', 'luoshan', 'hankou', 'huangshi', 'wuxue'].map((id) => pulseArrival(src, { river: 'Yangtze', km: GAUGE_HYDRAULICS[id]!.km })!);
    for (let i = 1; i < gauges.length; i++) {
      expect(gauges[i]!.peakAt).toBeGreaterThan(gauges[i - 1]!.peakAt);
      expect(gauges[i]!.peak).toBeLessThan(gauges[i - 1]!.peak);
    }
    expect(pulseArrival(src, { river: 'Han', km: 300 })).toBeNull(); // not downstream
  });

  describe('Three Gorges flood of August 2020 (flood-2020-aug)', () => {
    const model = new SignalModel(resolveScenario('flood-2020-aug'), 7, T0, HOUR);
    const crossing = (id: string) => {
      const s = st(id);
      const i = s.metrics.indexOf('water_level');
      for (let h = 0; h <= 288; h++) if (model.sample(s, T0 + h * HOUR)[i]! >= s.levels!.warning!) return h;
      return null;
    };
    const peak = (id: string, metric: string) => {
      const xs = series(model, st(id), metric, 288);
      return xs.indexOf(Math.max(...xs));
    };

    it('crosses the warning levels at the right gauges, in downstream order', () => {
      const order = ['shashi', 'jianli', 'lianhuatang', 'luoshan', 'hankou'];
      const times = order.map(crossing);
      expect(times.every((t) => t !== null)).toBe(true);
      for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
      expect(crossing('yichang')).toBeNull();
      expect(crossing('zhicheng')).toBeNull();
    });

    it('peaks travel with the published delays: dam outflow -> Shashi ~1.5 d, Yichang -> Hankou ~4 d', () => {
      const dam = peak('three-gorges', 'outflow');
      const shashi = peak('shashi', 'discharge');
      const yichang = peak('yichang', 'discharge');
      const hankou = peak('hankou', 'discharge');
      expect(shashi - dam).toBeGreaterThanOrEqual(30);
      expect(shashi - dam).toBeLessThanOrEqual(48);
      expect(hankou - yichang).toBeGreaterThanOrEqual(80);
      expect(hankou - yichang).toBeLessThanOrEqual(120);
    });

    it('the dam caps the release and stores the difference (level rises)', () => {
      const inflow = Math.max(...series(model, st('three-gorges'), 'inflow', 200));
      const outflow = Math.max(...series(model, st('three-gorges'), 'outflow', 200));
      const level = series(model, st('three-gorges'), 'water_level', 200);
      expect(inflow).toBeGreaterThan(70_000);
      expect(outflow).toBeLessThanOrEqual(49_400 * 1.001);
      expect(Math.max(...level) - level[0]!).toBeGreaterThan(3);
    });
  });
});

describe('soil', () => {
  it('soil moisture is lower in the drought scenario than in normal conditions', () => {
    const mean = (name: string) => {
      const xs = series(new SignalModel(resolveScenario(name), 7, T0, HOUR), st('soil-jiangling'), 'soil_moisture', 24 * 10, 6);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(mean('drought')).toBeLessThan(mean('normal') - 2);
  });
});
