import { METRICS, type MetricCode, type Station } from '@basin/schemas';
import { gaussian, hash32, mulberry32 } from './random.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Baseline (mean, diurnal amplitude, noise sd, diurnal peak hour) per metric. */
const BASE: Partial<Record<MetricCode, [mean: number, amp: number, sd: number, peakHour: number]>> = {
  discharge: [14000, 0, 150, 0],
  inflow: [14000, 0, 200, 0],
  outflow: [13500, 0, 150, 0],
  rainfall: [0, 0, 0, 0],
  water_temp: [18, 0.6, 0.05, 16],
  ph: [7.8, 0.15, 0.02, 15],
  do: [8.2, 0.8, 0.08, 15],
  conductivity: [320, 10, 4, 6],
  turbidity: [35, 3, 2, 10],
  codmn: [2.3, 0.2, 0.08, 14],
  nh3n: [0.25, 0.03, 0.01, 8],
  tp: [0.08, 0.01, 0.004, 12],
  tn: [1.4, 0.1, 0.03, 12],
  pm25: [40, 12, 3, 8],
  pm10: [68, 18, 5, 8],
  so2: [9, 3, 1, 10],
  no2: [32, 12, 3, 20],
  co: [0.8, 0.2, 0.04, 8],
  o3: [70, 45, 5, 15],
  air_temp: [17, 4, 0.3, 14],
  humidity: [72, 12, 2, 5],
  soil_moisture: [28, 1, 0.2, 5],
  soil_temp: [17, 2, 0.1, 15],
  soil_ph: [6.8, 0, 0.01, 0],
  cd: [0.25, 0, 0.005, 0],
  hg: [0.08, 0, 0.002, 0],
  as: [12, 0, 0.2, 0],
  pb: [32, 0, 0.5, 0],
  cr: [75, 0, 1, 0],
  cu: [30, 0, 0.5, 0],
  ni: [35, 0, 0.5, 0],
  zn: [90, 0, 1, 0],
};

/** Stage through a simple power-law rating curve h = h0 + a * Q^b, calibrated per station. */
export function stageFromDischarge(station: Station, q: number): number {
  const lv = station.levels;
  const warning = lv?.warning ?? 30;
  // Rated so that the mean flow sits ~4 m below the warning level and ~2.2x mean flow reaches it.
  const h0 = warning - 9;
  const a = 5 / Math.pow(14000, 0.45);
  return h0 + a * Math.pow(Math.max(q, 0), 0.45);
}

export interface SignalModel {
  value(station: Station, metric: MetricCode, t: number): number;
}

/** Plausible baseline signals: diurnal cycle, noise, per-station offset; deterministic from the seed. */
export function baselineModel(seed: number): SignalModel {
  const noise = new Map<string, () => number>();
  return {
    value(station, metric, t) {
      const key = `${station.id}/${metric}`;
      let rand = noise.get(key);
      if (!rand) {
        rand = mulberry32(seed ^ hash32(key));
        noise.set(key, rand);
      }
      if (metric === 'water_level') {
        if (station.kind === 'reservoir') return round(metric, 160 + gaussian(rand) * 0.02);
        return round(metric, stageFromDischarge(station, this.value(station, 'discharge', t)));
      }
      const b = BASE[metric];
      if (!b) return 0;
      const [mean, amp, sd, peak] = b;
      const offset = ((hash32(station.id) % 1000) / 1000 - 0.5) * 0.1 * mean;
      const hour = ((t % DAY) / HOUR + 8) % 24; // China Standard Time
      const diurnal = amp * Math.cos(((hour - peak) / 24) * 2 * Math.PI);
      const v = mean + offset + diurnal + gaussian(rand) * sd;
      const m = METRICS[metric];
      return round(metric, Math.min(m.validMax, Math.max(m.validMin, v)));
    },
  };
}

function round(metric: MetricCode, v: number): number {
  const p = 10 ** (METRICS[metric].precision + 1);
  return Math.round(v * p) / p;
}
