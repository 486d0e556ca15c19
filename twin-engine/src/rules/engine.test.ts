import { describe, expect, it } from 'vitest';
import { StoredRule, type MetricCode, type QualityFlag, type RuleDefinitionInput, type WaterClass } from '@basin/schemas';
import { RuleEngine } from './engine.js';
import { floodColour } from './conditions.js';
import { Deadlines } from '../state/deadlines.js';
import type { Classifiers, RuleEvent, RuleStation } from './types.js';

const H = 3_600_000;
const M = 60_000;
const T0 = Date.UTC(2026, 6, 1);

const stations: RuleStation[] = [
  { id: 'shashi', kind: 'hydrology_gauge', reach: 'jingjiang', river: 'Yangtze', admin: '湖北省荆州市', riverChief: '荆州市河长' },
  { id: 'hankou', kind: 'hydrology_gauge', reach: 'wuhan', river: 'Yangtze', admin: '湖北省武汉市江岸区', riverChief: '武汉市河长' },
  { id: 'tgr', kind: 'reservoir', reach: 'three-gorges', river: 'Yangtze', admin: '湖北省宜昌市', riverChief: null },
  { id: 'wq-a', kind: 'water_quality', reach: 'wuhan', river: 'Yangtze', admin: '湖北省武汉市', riverChief: '武汉市河长' },
  { id: 'wq-b', kind: 'water_quality', reach: 'wuhan', river: 'Yangtze', admin: '湖北省武汉市', riverChief: '武汉市河长' },
  { id: 'air-wh', kind: 'air_quality', reach: null, river: null, admin: '湖北省武汉市', riverChief: null },
];

// Test classifiers: simple, explicit tables (the real ones come from the standards module).
const NH3N: Array<[number, WaterClass]> = [[0.15, 'I'], [0.5, 'II'], [1.0, 'III'], [1.5, 'IV'], [2.0, 'V']];
const classifiers: Classifiers = {
  waterClass: (_s, metric, v) => {
    if (metric !== 'nh3n') return null;
    for (const [lim, c] of NH3N) if (v <= lim) return c;
    return 'worse_than_V';
  },
  aqiCategory: (_s, values) => {
    const pm = values.pm25;
    if (pm === undefined) return null;
    return pm <= 35 ? 1 : pm <= 75 ? 2 : pm <= 115 ? 3 : pm <= 150 ? 4 : pm <= 250 ? 5 : 6;
  },
  floodLevels: (s) =>
    s.id === 'shashi' ? { blue: 42.5, yellow: 43.0, orange: 45.0, red: 45.22 } : s.id === 'tgr' ? { yellow: 175.5, orange: 180.4 } : {},
};

function rule(input: Partial<RuleDefinitionInput> & Pick<RuleDefinitionInput, 'condition'>, version = 1): StoredRule {
  return StoredRule.parse({ id: 'r1', name: { zh: '规则', en: 'rule' }, severity: 'yellow', ...input, version });
}

function engine(rules: StoredRule[], now = T0) {
  const e = new RuleEngine(classifiers);
  e.setRules(rules, now);
  e.setStations(stations, now);
  return e;
}

const obs = (station: string, metric: MetricCode, value: number, ts: number, quality: QualityFlag = 'pass') => ({ station, metric, value, ts, quality });
const kinds = (evs: RuleEvent[]) => evs.map((e) => (e.kind === 'severity' ? `severity:${e.from}->${e.severity}` : e.kind === 'open' ? `open:${e.severity}` : 'clear'));

/** Feed a series of [value, minutes after T0] to one station/metric; collect the event kinds per step. */
function run(e: RuleEngine, station: string, metric: MetricCode, series: Array<[number, number] | [number, number, QualityFlag]>) {
  return series.map(([v, min, q]) => kinds(e.observe(obs(station, metric, v, T0 + min * M, q ?? 'pass'), T0 + min * M)).join(',') || '-');
}

describe('threshold', () => {
  it.each([
    ['>=', 43, [[42.99, 0], [43, 1], [43.5, 2], [42.9, 3]], ['-', 'open:yellow', '-', 'clear']],
    ['>', 43, [[43, 0], [43.01, 1]], ['-', 'open:yellow']],
    ['<', 5, [[5, 0], [4.99, 1], [5, 2]], ['-', 'open:yellow', 'clear']],
    ['<=', 5, [[5.01, 0], [5, 1]], ['-', 'open:yellow']],
  ] as const)('op %s %d', (op, value, series, expected) => {
    const e = engine([rule({ condition: { type: 'threshold', metric: 'water_level', op, value } })]);
    expect(run(e, 'shashi', 'water_level', series as never)).toEqual(expected);
  });

  it('hysteresis: clears only past the clear level', () => {
    const e = engine([rule({ condition: { type: 'threshold', metric: 'water_level', op: '>=', value: 43, clearValue: 42.5 } })]);
    expect(run(e, 'shashi', 'water_level', [[43.1, 0], [42.8, 1], [42.5, 2], [42.49, 3], [42.9, 4], [43, 5]])).toEqual(['open:yellow', '-', '-', 'clear', '-', 'open:yellow']);
  });

  it('sustained for a duration (reading time)', () => {
    const e = engine([rule({ forSeconds: 1800, condition: { type: 'threshold', metric: 'water_level', op: '>=', value: 43 } })]);
    expect(run(e, 'shashi', 'water_level', [[43.1, 0], [43.2, 20], [42, 25], [43.1, 30], [43.1, 50], [43.1, 60]])).toEqual(['-', '-', '-', '-', '-', 'open:yellow']);
  });

  it('a duration survives a restart (state restored, no repeat, no re-fire)', () => {
    const r = rule({ forSeconds: 1800, condition: { type: 'threshold', metric: 'water_level', op: '>=', value: 43 } });
    const a = engine([r]);
    run(a, 'shashi', 'water_level', [[43.1, 0], [43.2, 20]]);
    const saved = a.drainDirty();
    const b = engine([r]);
    b.restore(saved, T0 + 21 * M);
    expect(run(b, 'shashi', 'water_level', [[43.2, 20], [43.3, 30], [43.4, 40]])).toEqual(['-', 'open:yellow', '-']);
    const saved2 = b.snapshot();
    const c = engine([r]);
    c.restore(saved2, T0 + 41 * M);
    // the same reading replayed after the restart, then newer ones: nothing repeats
    expect(run(c, 'shashi', 'water_level', [[43.4, 40], [43.5, 50], [42, 60]])).toEqual(['-', '-', 'clear']);
  });

  it('out-of-order readings do not flap', () => {
    const e = engine([rule({ condition: { type: 'threshold', metric: 'water_level', op: '>=', value: 43 } })]);
    expect(run(e, 'shashi', 'water_level', [[43.2, 10], [42.0, 5], [41.0, 9], [43.3, 11]])).toEqual(['open:yellow', '-', '-', '-']);
    expect(e.counts.late).toBe(2);
  });

  it('QC-failed readings never raise or clear; suspect ones count only when the rule accepts them', () => {
    const strict = engine([rule({ condition: { type: 'threshold', metric: 'water_level', op: '>=', value: 43 } })]);
    expect(run(strict, 'shashi', 'water_level', [[50, 0, 'fail'], [44, 1, 'suspect'], [43.1, 2], [10, 3, 'fail'], [10, 4, 'suspect']])).toEqual(['-', '-', 'open:yellow', '-', '-']);
    const lenient = engine([rule({ acceptSuspect: true, condition: { type: 'threshold', metric: 'water_level', op: '>=', value: 43 } })]);
    expect(run(lenient, 'shashi', 'water_level', [[50, 0, 'fail'], [44, 1, 'suspect'], [10, 2, 'fail'], [10, 3, 'suspect']])).toEqual(['-', 'open:yellow', '-', 'clear']);
  });

  it('autoResolve false: the clear event says so', () => {
    const e = engine([rule({ autoResolve: false, condition: { type: 'threshold', metric: 'water_level', op: '>=', value: 43 } })]);
    e.observe(obs('shashi', 'water_level', 44, T0), T0);
    const [ev] = e.observe(obs('shashi', 'water_level', 40, T0 + M), T0 + M);
    expect(ev).toMatchObject({ kind: 'clear', autoResolve: false });
  });
});

describe('rate of change', () => {
  it.each([
    ['rise', [[40, 0], [40.2, 30], [40.6, 60]], ['-', '-', 'open:yellow']],
    ['rise', [[40, 0], [39.4, 60]], ['-', '-']],
    ['fall', [[40, 0], [39.4, 60]], ['-', 'open:yellow']],
    ['either', [[40, 0], [39.5, 60], [39.5, 120], [39.5, 180]], ['-', 'open:yellow', 'clear', '-']],
  ] as const)('%s', (direction, series, expected) => {
    const e = engine([rule({ condition: { type: 'rate_of_change', metric: 'water_level', perHour: 0.5, direction, windowSeconds: 3600 } })]);
    expect(run(e, 'shashi', 'water_level', series as never)).toEqual(expected);
  });
});

describe('staleness (exact timers)', () => {
  it('fires at the deadline, clears when data returns, re-arms', () => {
    const e = engine([rule({ condition: { type: 'stale', metric: 'water_level', minutes: 30 } })], T0);
    expect(e.nextDeadline()).toBe(T0 + 30 * M); // armed for every station in scope at start
    e.observe(obs('shashi', 'water_level', 40, T0 + 10 * M), T0 + 10 * M);
    expect(kinds(e.tick(T0 + 30 * M - 1))).toEqual([]);
    const due = e.tick(T0 + 30 * M);
    expect(due.map((d) => d.subject).sort()).toEqual(['hankou', 'tgr', 'wq-a', 'wq-b', 'air-wh'].sort());
    expect(e.nextDeadline()).toBe(T0 + 40 * M);
    expect(kinds(e.tick(T0 + 40 * M))).toEqual(['open:yellow']);
    expect(kinds(e.observe(obs('shashi', 'water_level', 40, T0 + 41 * M), T0 + 41 * M))).toEqual(['clear']);
    expect(e.nextDeadline()).toBe(T0 + 71 * M);
    expect(e.tick(T0 + 70 * M)).toEqual([]);
  });

  it('an open stale alert is not re-fired after a restart', () => {
    const r = rule({ scope: { stations: ['shashi'] }, condition: { type: 'stale', metric: 'water_level', minutes: 30 } });
    const a = engine([r], T0);
    expect(kinds(a.tick(T0 + 30 * M))).toEqual(['open:yellow']);
    const b = engine([r], T0 + 31 * M);
    b.restore(a.snapshot(), T0 + 31 * M);
    expect(b.tick(T0 + 120 * M)).toEqual([]);
  });
});

describe('standard class change', () => {
  it('water class worse than III at one section', () => {
    const e = engine([rule({ condition: { type: 'water_class', metric: 'nh3n', worseThan: 'III' } })]);
    expect(run(e, 'wq-a', 'nh3n', [[1.0, 0], [1.01, 1], [1.5, 2], [2.5, 3], [0.9, 4]])).toEqual(['-', 'open:yellow', '-', '-', 'clear']);
  });

  it('AQI category rises', () => {
    const e = engine([rule({ condition: { type: 'aqi_category', atLeast: 4 } })]);
    expect(run(e, 'air-wh', 'pm25', [[100, 0], [116, 60], [160, 120], [75, 180]])).toEqual(['-', 'open:yellow', '-', 'clear']);
  });
});

describe('flood colours (SL 758)', () => {
  it.each([
    [42.49, null],
    [42.5, 'blue'],
    [42.99, 'blue'],
    [43.0, 'yellow'],
    [44.99, 'yellow'],
    [45.0, 'orange'],
    [45.22, 'red'],
  ] as const)('stage %d -> %s', (v, c) => {
    expect(floodColour({ blue: 42.5, yellow: 43.0, orange: 45.0, red: 45.22 }, v, null, 0.05)).toBe(c);
  });

  it('escalates in place and holds a colour within the clear margin', () => {
    const e = engine([rule({ condition: { type: 'flood_level', atLeast: 'yellow', clearMargin: 0.1 } })]);
    expect(run(e, 'shashi', 'water_level', [[42.8, 0], [43.0, 60], [45.1, 120], [44.95, 180], [44.8, 240], [42.95, 300], [42.89, 360]])).toEqual([
      '-', 'open:yellow', 'severity:yellow->orange', '-', 'severity:orange->yellow', '-', 'clear',
    ]);
  });

  it('reservoirs use their own levels: normal pool is not a warning', () => {
    const e = engine([rule({ condition: { type: 'flood_level', atLeast: 'yellow' } })]);
    expect(run(e, 'tgr', 'water_level', [[145, 0], [175, 60], [175.5, 120]])).toEqual(['-', '-', 'open:yellow']);
  });
});

describe('forecast-based', () => {
  it('fires on the forecast before the observation, clears when withdrawn', () => {
    const e = engine([rule({ condition: { type: 'forecast_crossing', level: 'warning', withinHours: 24 } })]);
    const f = { station: 'hankou', level: 'warning', forecastId: 'f1', issuedAt: T0 };
    expect(kinds(e.observeForecast({ ...f, crossingAt: T0 + 30 * H }, T0))).toEqual([]);
    const [ev] = e.observeForecast({ ...f, forecastId: 'f2', issuedAt: T0 + H, crossingAt: T0 + 20 * H }, T0 + H);
    expect(ev).toMatchObject({ kind: 'open', subject: 'hankou', evidence: { forecast: { forecastId: 'f2', crossingAt: T0 + 20 * H } } });
    expect(kinds(e.observeForecast({ ...f, forecastId: 'f3', issuedAt: T0 + 2 * H, crossingAt: null }, T0 + 2 * H))).toEqual(['clear']);
  });

  // [station, issued h, crossing h (null: none), events]: one rule, warning within 24 h, gauges only
  it.each([
    ['within the window', [['hankou', 0, 23]], ['open:yellow']],
    ['exactly at the window', [['hankou', 0, 24]], ['open:yellow']],
    ['beyond the window', [['hankou', 0, 25]], ['-']],
    ['a crossing before the issue time', [['hankou', 5, 4]], ['-']],
    ['out of scope (a water-quality station)', [['wq-a', 0, 3]], ['-']],
    ['unknown station', [['nowhere', 0, 3]], ['-']],
    ['the same run delivered twice', [['hankou', 0, 3], ['hankou', 0, 3]], ['open:yellow', '-']],
    ['an older run announced late changes nothing', [['hankou', 2, 10], ['hankou', 1, null]], ['open:yellow', '-']],
    ['a newer run withdraws it', [['hankou', 1, 10], ['hankou', 2, null]], ['open:yellow', 'clear']],
    ['a newer run moves it out of the window', [['hankou', 1, 10], ['hankou', 2, 40]], ['open:yellow', 'clear']],
  ] as const)('%s', (_name, runs, expected) => {
    const e = engine([rule({ scope: { kinds: ['hydrology_gauge'] }, condition: { type: 'forecast_crossing', level: 'warning', withinHours: 24 } })]);
    const got = runs.map(([station, issued, at], i) => kinds(e.observeForecasts([{ station, level: 'warning', forecastId: `f${i}-${issued}`, issuedAt: T0 + issued * H, crossingAt: at === null ? null : T0 + at * H }], T0 + issued * H)).join(',') || '-');
    expect(got).toEqual(expected);
  });

  it('evidence names the forecast: id, issue time, predicted time, value and level', () => {
    const e = engine([rule({ condition: { type: 'forecast_crossing', level: 'nh3n:IV', withinHours: 12 } })]);
    const [ev] = e.observeForecasts([{ station: 'wq-a', level: 'nh3n:IV', forecastId: 'spill-1', issuedAt: T0, crossingAt: T0 + 6 * H, value: 1.8, threshold: 1.5 }], T0);
    expect(ev).toMatchObject({ kind: 'open', at: T0, evidence: { ruleVersion: 1, readings: [], forecast: { forecastId: 'spill-1', issuedAt: T0, crossingAt: T0 + 6 * H, value: 1.8, threshold: 1.5, level: 'nh3n:IV' } } });
    expect(ev!.evidence.reason).toBe('forecast: nh3n:IV crossed in 6 h');
  });

  it('forecast or observed, one alert per rule and subject: opens on the forecast, escalates in place on the observation', () => {
    const e = engine([
      rule({
        severity: 'blue',
        scope: { stations: ['shashi'] },
        condition: { type: 'composite', op: 'or', parts: [{ condition: { type: 'forecast_crossing', level: 'warning', withinHours: 24 } }, { condition: { type: 'flood_level', atLeast: 'yellow' } }] },
      }),
    ]);
    const fc = (issued: number, at: number | null) => kinds(e.observeForecasts([{ station: 'shashi', level: 'warning', forecastId: `f${issued}`, issuedAt: T0 + issued * H, crossingAt: at === null ? null : T0 + at * H }], T0 + issued * H));
    expect(run(e, 'shashi', 'water_level', [[42.0, 0]])).toEqual(['-']);
    expect(fc(1, 12)).toEqual(['open:blue']);
    expect(run(e, 'shashi', 'water_level', [[42.6, 120], [43.1, 600]])).toEqual(['-', 'severity:blue->yellow']);
    expect(fc(11, 11)).toEqual([]); // the next run, already crossed: the same alert
    expect(fc(12, null)).toEqual([]); // the forecast withdrawn while the observation holds: stays
    expect(run(e, 'shashi', 'water_level', [[42.8, 780]])).toEqual(['clear']);
  });
});

describe('composite', () => {
  const both = rule({
    scope: { stations: ['wq-b'] },
    condition: {
      type: 'composite',
      op: 'and',
      parts: [
        { station: 'wq-a', condition: { type: 'water_class', metric: 'nh3n', worseThan: 'III' } },
        { station: 'wq-b', condition: { type: 'water_class', metric: 'nh3n', worseThan: 'III' } },
      ],
    },
  });

  it('AND across two consecutive sections', () => {
    const e = engine([both]);
    expect(kinds(e.observe(obs('wq-a', 'nh3n', 1.2, T0), T0))).toEqual([]);
    expect(kinds(e.observe(obs('wq-b', 'nh3n', 0.8, T0 + M), T0 + M))).toEqual([]);
    const [ev] = e.observe(obs('wq-b', 'nh3n', 1.3, T0 + 2 * M), T0 + 2 * M);
    expect(ev).toMatchObject({ kind: 'open', subject: 'wq-b' });
    expect(ev!.evidence.readings.map((r) => r.station)).toEqual(['wq-a', 'wq-b']);
    expect(ev!.evidence.reason).toBe('nh3n 1.2 class IV (fires worse than III) AND nh3n 1.3 class IV (fires worse than III)');
    expect(kinds(e.observe(obs('wq-a', 'nh3n', 0.5, T0 + 3 * M), T0 + 3 * M))).toEqual(['clear']);
  });

  it('OR across metrics at the subject station', () => {
    const e = engine([
      rule({
        scope: { kinds: ['hydrology_gauge'] },
        condition: {
          type: 'composite',
          op: 'or',
          parts: [
            { condition: { type: 'threshold', metric: 'water_level', op: '>=', value: 43 } },
            { condition: { type: 'threshold', metric: 'discharge', op: '>=', value: 50000 } },
          ],
        },
      }),
    ]);
    expect(kinds(e.observe(obs('shashi', 'discharge', 51000, T0), T0))).toEqual(['open:yellow']);
    expect(kinds(e.observe(obs('shashi', 'water_level', 40, T0 + M), T0 + M))).toEqual([]);
    expect(kinds(e.observe(obs('shashi', 'discharge', 30000, T0 + 2 * M), T0 + 2 * M))).toEqual(['clear']);
  });
});

describe('scope', () => {
  it.each([
    [{ stations: ['hankou'] }, ['hankou']],
    [{ kinds: ['reservoir'] }, ['tgr']],
    [{ reaches: ['wuhan'] }, ['hankou']],
    [{ rivers: ['Yangtze'] }, ['shashi', 'hankou', 'tgr']],
    [{ adminUnits: ['湖北省武汉市'] }, ['hankou']],
    [{ riverChiefs: ['荆州市河长'] }, ['shashi']],
  ] as const)('%j', (scope, expected) => {
    const e = engine([rule({ scope: scope as never, condition: { type: 'threshold', metric: 'water_level', op: '>=', value: 0 } })]);
    const fired = ['shashi', 'hankou', 'tgr'].filter((s) => e.observe(obs(s, 'water_level', 100, T0), T0).length > 0);
    expect(fired).toEqual(expected);
  });
});

describe('rule validation', () => {
  it('names the field', () => {
    const r = StoredRule.safeParse({ id: 'x', name: { zh: 'x', en: 'x' }, severity: 'yellow', version: 1, condition: { type: 'threshold', metric: 'water_level', op: '=>', value: 1 } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['condition', 'op']);
  });
});

describe('deadline heap', () => {
  it('returns due keys in order and honours re-arming', () => {
    const d = new Deadlines();
    for (let i = 0; i < 200; i++) d.set(`k${i}`, 1000 - i);
    d.set('k0', 5); // re-armed earlier
    d.delete('k1');
    expect(d.next()).toBe(5);
    const due = d.due(805);
    expect(due[0]).toEqual(['k0', 5]);
    expect(due.map((x) => x[1])).toEqual([...due.map((x) => x[1])].sort((a, b) => a - b));
    expect(due.some(([k]) => k === 'k1')).toBe(false);
    expect(d.size).toBe(200 - 1 - due.length);
  });
});
