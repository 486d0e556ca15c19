import { describe, expect, it } from 'vitest';
import { BASIN_STATIONS } from '@basin/schemas';
import * as sim from '@basin/sensors-sim';
import { BasinModel, forecastFlood, forecastInputStations, levelOf, type HourlySeries } from '@basin/twin-engine';

const HOUR = 3_600_000;
const T0 = Date.parse('2020-07-01T00:00:00+08:00');
const HOURS = 31 * 24;
const model = new BasinModel(BASIN_STATIONS);
const signals = new sim.SignalModel(sim.resolveScenario('flood-2020-jul'), 3, T0, HOUR);
const simStations = new Map(sim.selectStations({ seed: 3 }).map((s) => [s.id, s]));

/** The scenario's hourly readings (stage, discharge, outflow) of every gauge and reservoir on the network. */
const readings = new Map<string, HourlySeries>();
for (const id of forecastInputStations(model)) {
  const st = simStations.get(id);
  if (!st) continue;
  const rows = Array.from({ length: HOURS }, (_, h) => signals.sample(st, T0 + h * HOUR));
  const col = (m: string) => (st.metrics.indexOf(m as never) >= 0 ? rows.map((r) => r[st.metrics.indexOf(m as never)]!) : undefined);
  readings.set(id, { start: T0, stage: col('water_level'), discharge: col('discharge'), outflow: col('outflow') });
}
const upTo = (h: number) => new Map([...readings].map(([id, s]) => [id, { start: T0 + Math.max(0, h - 71) * HOUR, stage: s.stage?.slice(Math.max(0, h - 71), h + 1), discharge: s.discharge?.slice(Math.max(0, h - 71), h + 1), outflow: s.outflow?.slice(Math.max(0, h - 71), h + 1) }]));

/** First hour the scenario's stage is at or above the gauge's warning level (from `from`), or -1. */
const observedCrossing = (id: string, from = 0) => {
  const warning = levelOf(model.references.get(id)!, 'warning', T0)!;
  return readings.get(id)!.stage!.findIndex((v, h) => h >= from && v >= warning);
};

/** Hourly runs from 72 h before the observed crossing: the first that predicts it (issue hour, predicted hour). */
function firstWarning(id: string, observed: number): { issued: number; predicted: number } | null {
  for (let h = Math.max(71, observed - 72); h < observed; h++) {
    const f = forecastFlood(model, { issuedAt: T0 + h * HOUR, horizonH: 72, x: 0.2, series: upTo(h) });
    const c = f.gauges.find((g) => g.station === id)?.crossings.find((x) => x.level === 'warning');
    if (c) return { issued: h, predicted: (c.at - T0) / HOUR };
  }
  return null;
}

describe('flood-2020-jul: the forecast predicts the warning crossing before it is observed', () => {
  it('Hankou: warned at least 6 h ahead, the predicted time within 12 h of the observed', () => {
    const observed = observedCrossing('hankou');
    expect(observed).toBeGreaterThan(71 + 72); // the scenario crosses after a full input window
    const w = firstWarning('hankou', observed);
    expect(w, 'a run before the crossing predicts it').not.toBeNull();
    expect(observed - w!.issued, 'warning lead time, h').toBeGreaterThanOrEqual(6);
    expect(Math.abs(w!.predicted - observed), 'timing error, h').toBeLessThanOrEqual(12);
  });

  // Lianhuatang and Luoshan rise with the Dongting Lake outflow; the routing takes it from the
  // Chenglingji gauge, which the simulator does not publish, so only the error correction sees it
  // here: Lianhuatang is not warned ahead, Luoshan ~2 h.
  it.each(['jianli', 'hankou', 'huangshi', 'wuxue'])('%s: warned at least 6 h before its observed crossing', (id) => {
    const observed = observedCrossing(id, 72 + 24);
    expect(observed, 'the scenario crosses the warning level').toBeGreaterThan(0);
    const w = firstWarning(id, observed);
    expect(w).not.toBeNull();
    expect(observed - w!.issued).toBeGreaterThanOrEqual(6);
  });
});
