import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BasinError } from '@basin/platform';
import { listScenarios, parseScenario, resolveScenario, SCENARIO_DIR } from './scenario.js';

describe('scenario files', () => {
  it('every file in scenarios/ validates and is named after its file', () => {
    const files = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json'));
    const list = listScenarios();
    expect(list.map((s) => `${s.name}.json`).sort()).toEqual(files.sort());
  });

  it.each(['normal', 'flood-2020-jul', 'flood-2020-aug', 'spill', 'air-episode', 'drought', 'faults', 'gateway-outage', 'hostile'])('ships scenario %s', (name) => {
    expect(resolveScenario(name).name).toBe(name);
  });

  it('keeps the old name "flood" as an alias of flood-2020-jul', () => {
    expect(resolveScenario('flood').name).toBe('flood-2020-jul');
  });

  it('covers every fault type and keeps hostile payloads opt-in', () => {
    const faults = resolveScenario('faults').faults.map((f) => f.type).sort();
    expect(faults).toEqual(['battery_death', 'clock_skew', 'drift', 'dropouts', 'spikes', 'stuck']);
    const withHostile = listScenarios().filter((s) => s.hostile);
    expect(withHostile.map((s) => s.name)).toEqual(['hostile']);
  });

  it('an unknown scenario is a SIM_SCENARIO_NOT_FOUND error listing the known ones', () => {
    try {
      resolveScenario('tsunami');
      expect.unreachable();
    } catch (e) {
      expect((e as BasinError).code).toBe('SIM_SCENARIO_NOT_FOUND');
      expect((e as BasinError).message).toContain('flood');
    }
  });

  it.each([
    ['bad name', { name: 'Flood!', title: 't' }],
    ['unknown field', { name: 'x', title: 't', surprise: 1 }],
    ['unknown river', { name: 'x', title: 't', pulses: [{ river: 'Nile', km: 0, peakM3s: 1, atH: 0, widthH: 1 }] }],
    ['negative peak', { name: 'x', title: 't', pulses: [{ river: 'Han', km: 0, peakM3s: -5, atH: 0, widthH: 1 }] }],
    ['unknown metric in spill', { name: 'x', title: 't', spills: [{ river: 'Han', km: 0, atH: 0, durationH: 1, peak: { mercury: 1 } }] }],
    ['empty spill', { name: 'x', title: 't', spills: [{ river: 'Han', km: 0, atH: 0, durationH: 1, peak: {} }] }],
    ['window backwards', { name: 'x', title: 't', rain: [{ center: [114, 30], radiusKm: 10, fromH: 5, toH: 1, mmPerHour: 3 }] }],
    ['unknown fault', { name: 'x', title: 't', faults: [{ type: 'gremlins' }] }],
    ['probability > 1', { name: 'x', title: 't', faults: [{ type: 'dropouts', probability: 2 }] }],
    ['unknown hostile kind', { name: 'x', title: 't', hostile: { kinds: ['rm -rf'], perHour: 1 } }],
    ['reservoir not modelled', { name: 'x', title: 't', reservoirs: [{ station: 'gezhouba', inflowPeakM3s: 1, atH: 0, widthH: 1, maxOutflowM3s: 1 }] }],
  ])('rejects %s', (_why, doc) => {
    expect(() => parseScenario(doc)).toThrow(expect.objectContaining({ code: 'SIM_SCENARIO_INVALID' }));
  });
});
