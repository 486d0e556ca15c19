import { describe, expect, it } from 'vitest';
import { ApiAlert, type AlertEvent } from './api';
import { actionsUntil, alertsAt, replayAlerts, stateAt, transitionsOf } from './alert-replay';

const T = (min: number) => Date.parse('2026-07-10T08:00:00Z') + min * 60_000;
const iso = (min: number) => new Date(T(min)).toISOString();
const ev = (alertId: string, min: number, action: string, extra: Partial<AlertEvent> = {}): AlertEvent => ({ alertId, at: iso(min), actor: 'system:rules', action, before: null, after: null, detail: null, ...extra });
const alert = (id: string, openedMin: number, severity: ApiAlert['severity'], state: ApiAlert['state'], resolvedMin: number | null = null) =>
  ApiAlert.parse({ id, severity, state, station: `st-${id}`, openedAt: iso(openedMin), resolvedAt: resolvedMin === null ? null : iso(resolvedMin) });

// hankou: opened yellow at 0, red at 10, acknowledged at 20 by key:op, dispatched at 30, resolved at 60 with a note
const hankou = alert('1', 0, 'red', 'resolved', 60);
const hankouEvents = [
  ev('1', 0, 'alert.open', { after: { severity: 'yellow', state: 'firing' } }),
  ev('1', 10, 'alert.escalate', { before: { severity: 'yellow' }, after: { severity: 'red' } }),
  ev('1', 20, 'alert.acknowledge', { actor: 'key:op', before: { state: 'firing' }, after: { state: 'acknowledged' }, detail: { comment: 'on it' } }),
  ev('1', 25, 'alert.comment', { actor: 'jwt:li', after: { id: 7, text: 'gates closed' } }),
  ev('1', 30, 'alert.dispatch', { actor: 'key:op', after: { state: 'dispatched' } }),
  ev('1', 60, 'alert.resolve', { actor: 'key:op', after: { state: 'resolved' }, detail: { note: 'receding' } }),
];
// shashi: opened before the audit kept it (no records), orange, auto-resolved per its row at 40
const shashi = alert('2', 5, 'orange', 'resolved', 40);
// yichang: opened blue at 15 (its opening not in the audit), escalated to orange at 45
const yichang = alert('3', 15, 'orange', 'firing');
const yichangEvents = [ev('3', 45, 'alert.escalate', { before: { severity: 'blue' }, after: { severity: 'orange' } })];

describe('alerts in the timeline replay', () => {
  const list = replayAlerts([hankou, shashi, yichang], [...hankouEvents, ...yichangEvents]);

  it.each([
    // [minute, [id, severity, state] of the alerts open then]
    [-1, []],
    [0, [['1', 'yellow', 'firing']]],
    [5, [['1', 'yellow', 'firing'], ['2', 'orange', 'firing']]],
    [12, [['1', 'red', 'firing'], ['2', 'orange', 'firing']]],
    [20, [['1', 'red', 'acknowledged'], ['2', 'orange', 'firing'], ['3', 'blue', 'firing']]],
    [35, [['1', 'red', 'dispatched'], ['2', 'orange', 'firing'], ['3', 'blue', 'firing']]],
    [40, [['1', 'red', 'dispatched'], ['3', 'blue', 'firing']]],
    [50, [['1', 'red', 'dispatched'], ['3', 'orange', 'firing']]],
    [60, [['3', 'orange', 'firing']]],
  ] as const)('at minute %d the open alerts are %j', (min, want) => {
    expect(alertsAt(list, T(min)).map((a) => [a.id, a.severity, a.state])).toEqual(want);
  });

  it('keeps the rest of the alert (station, title) as the API gave it', () => {
    expect(alertsAt(list, T(12))[0]).toMatchObject({ id: '1', station: 'st-1', openedAt: iso(0), severity: 'red', state: 'firing' });
  });

  it.each([
    ['the opening record', hankou, hankouEvents, 'yellow'],
    ['the first change when the opening was not audited', yichang, yichangEvents, 'blue'],
    ["today's without any record", shashi, [], 'orange'],
  ] as const)('takes the first severity from %s', (_, a, events, want) => {
    expect(transitionsOf(a, events)[0]).toEqual({ at: Date.parse(a.openedAt), state: 'firing', severity: want });
  });

  it('never puts a change before the opening (audit time is the commit, opening the reading time)', () => {
    const a = alert('4', 10, 'red', 'firing');
    const x = transitionsOf(a, [ev('4', 9, 'alert.open', { after: { severity: 'yellow' } }), ev('4', 9, 'alert.escalate', { after: { severity: 'red' } })]);
    expect(x.map((t) => t.at)).toEqual([T(10), T(10)]);
    expect(stateAt(x, T(10))).toEqual({ state: 'firing', severity: 'red' });
    expect(stateAt(x, T(9))).toBeNull();
  });

  it.each([
    // [minute, [action, actor, text] newest first]
    [15, []],
    [20, [['acknowledge', 'key:op', 'on it']]],
    [
      59,
      [
        ['dispatch', 'key:op', null],
        ['comment', 'jwt:li', 'gates closed'],
        ['acknowledge', 'key:op', 'on it'],
      ],
    ],
    [
      99,
      [
        ['resolve', 'key:op', 'receding'],
        ['dispatch', 'key:op', null],
        ['comment', 'jwt:li', 'gates closed'],
        ['acknowledge', 'key:op', 'on it'],
      ],
    ],
  ] as const)("lists the operators' actions up to minute %d (not the rules' own changes)", (min, want) => {
    expect(actionsUntil([...hankouEvents, ...yichangEvents], T(min)).map((a) => [a.action, a.actor, a.text])).toEqual(want);
  });

  it('names the alert and the time of each action', () => {
    expect(actionsUntil(hankouEvents, T(20))).toEqual([{ at: T(20), alertId: '1', actor: 'key:op', action: 'acknowledge', text: 'on it' }]);
  });
});
