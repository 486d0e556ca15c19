import { describe, expect, it } from 'vitest';
import { AlertRule, DispatchTask, Incident, SEVERITY_RANK, WebhookSubscription } from './domain.js';

describe('command-and-dispatch shapes', () => {
  it.each([
    ['gauge warning level', { type: 'gauge_level', level: 'warning' }],
    ['GB 3838 class worse than III', { type: 'water_class', worseThan: 'III' }],
    ['threshold', { type: 'threshold', op: '>', value: 75 }],
    ['rate of change', { type: 'rate_of_change', perHour: 0.5 }],
    ['stale station', { type: 'stale', seconds: 900 }],
  ])('accepts an alert rule on %s and fills defaults', (_label, condition) => {
    const r = AlertRule.parse({ id: 'r1', name: 'rule', metric: 'water_level', condition, severity: 'yellow' });
    expect(r).toMatchObject({ enabled: true, forSeconds: 0, cooldownSeconds: 600, scope: {} });
  });

  it.each([
    ['unknown condition type', { id: 'r', name: 'n', metric: 'ph', severity: 'red', condition: { type: 'magic' } }],
    ['unknown severity', { id: 'r', name: 'n', metric: 'ph', severity: 'purple', condition: { type: 'threshold', op: '>', value: 1 } }],
    ['unknown metric', { id: 'r', name: 'n', metric: 'vibes', severity: 'red', condition: { type: 'threshold', op: '>', value: 1 } }],
    ['negative debounce', { id: 'r', name: 'n', metric: 'ph', severity: 'red', forSeconds: -1, condition: { type: 'threshold', op: '>', value: 1 } }],
    ['bad gauge level', { id: 'r', name: 'n', metric: 'water_level', severity: 'red', condition: { type: 'gauge_level', level: 'panic' } }],
  ])('rejects an alert rule with %s', (_label, input) => {
    expect(AlertRule.safeParse(input).success).toBe(false);
  });

  it('ranks the four warning colours blue < yellow < orange < red', () => {
    expect(Object.entries(SEVERITY_RANK).sort((a, b) => a[1] - b[1]).map(([k]) => k)).toEqual(['blue', 'yellow', 'orange', 'red']);
  });

  it('requires http(s) webhook URLs and a long enough secret', () => {
    const base = { id: 'w', events: ['alert.fired'], createdAt: 0 };
    expect(WebhookSubscription.safeParse({ ...base, url: 'https://ops.example/hook', secret: 'x'.repeat(32) }).success).toBe(true);
    expect(WebhookSubscription.safeParse({ ...base, url: 'file:///etc/passwd', secret: 'x'.repeat(32) }).success).toBe(false);
    expect(WebhookSubscription.safeParse({ ...base, url: 'https://ops.example/hook', secret: 'short' }).success).toBe(false);
  });

  it('parses incidents and dispatch tasks with defaults', () => {
    const inc = Incident.parse({ id: 'i1', title: '汉口超警', kind: 'flood', severity: 'yellow', status: 'open', openedAt: 1 });
    expect(inc).toMatchObject({ alertIds: [], planId: null, closedAt: null });
    const task = DispatchTask.parse({ id: 't1', incidentId: 'i1', title: '巡堤查险', assignee: '武汉市防汛抗旱指挥部', status: 'pending', createdAt: 1 });
    expect(task).toMatchObject({ detail: '', station: null, dueAt: null });
  });
});
