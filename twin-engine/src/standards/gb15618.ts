/**
 * GB 15618-2018 agricultural-land soil pollution risk screening (Table 1) and intervention
 * (Table 3) values, mg/kg (schemas/data/domain/domain-facts.json `soil_gb15618_2018`, confidence
 * high). pH bands: ≤5.5, (5.5, 6.5], (6.5, 7.5], >7.5.
 *  - C ≤ screening value: low risk, 优先保护类
 *  - screening < C ≤ intervention: at risk, 安全利用类
 *  - C > intervention: high risk, 严格管控类 (Cu, Ni, Zn have no intervention value)
 */
export type SoilElement = 'cd' | 'hg' | 'as' | 'pb' | 'cr' | 'cu' | 'ni' | 'zn';
export type LandUse = 'paddy' | 'orchard' | 'other';
export type SoilRisk = 'low_risk' | 'at_risk' | 'high_risk';
type Four = readonly [number, number, number, number];

const SCREENING: Readonly<Record<SoilElement, Partial<Record<'paddy' | 'orchard' | 'other' | 'all', Four>>>> = {
  cd: { paddy: [0.3, 0.4, 0.6, 0.8], other: [0.3, 0.3, 0.3, 0.6] },
  hg: { paddy: [0.5, 0.5, 0.6, 1.0], other: [1.3, 1.8, 2.4, 3.4] },
  as: { paddy: [30, 30, 25, 20], other: [40, 40, 30, 25] },
  pb: { paddy: [80, 100, 140, 240], other: [70, 90, 120, 170] },
  cr: { paddy: [250, 250, 300, 350], other: [150, 150, 200, 250] },
  // Cu is split orchard / other (paddy uses "other"); Ni and Zn have one row.
  cu: { orchard: [150, 150, 200, 200], other: [50, 50, 100, 100] },
  ni: { all: [60, 70, 100, 190] },
  zn: { all: [200, 200, 250, 300] },
};

const INTERVENTION: Readonly<Partial<Record<SoilElement, Four>>> = {
  cd: [1.5, 2.0, 3.0, 4.0],
  hg: [2.0, 2.5, 4.0, 6.0],
  as: [200, 150, 120, 100],
  pb: [400, 500, 700, 1000],
  cr: [800, 850, 1000, 1300],
};

export const RISK_ZH: Readonly<Record<SoilRisk, string>> = { low_risk: '优先保护类', at_risk: '安全利用类', high_risk: '严格管控类' };

/** Index of the pH band (0: ≤5.5, 1: ≤6.5, 2: ≤7.5, 3: >7.5). */
export function phBand(ph: number): 0 | 1 | 2 | 3 {
  if (ph <= 5.5) return 0;
  if (ph <= 6.5) return 1;
  if (ph <= 7.5) return 2;
  return 3;
}

export function screeningValue(el: SoilElement, ph: number, use: LandUse): number {
  const row = SCREENING[el];
  const four = row.all ?? (use === 'paddy' ? (row.paddy ?? row.other) : use === 'orchard' ? (row.orchard ?? row.other) : row.other);
  return four![phBand(ph)];
}

export function interventionValue(el: SoilElement, ph: number): number | null {
  const four = INTERVENTION[el];
  return four ? four[phBand(ph)] : null;
}

export interface SoilResult {
  risk: SoilRisk;
  riskZh: string;
  screening: number;
  intervention: number | null;
  phBand: string;
}

const BAND_LABEL = ['pH<=5.5', '5.5<pH<=6.5', '6.5<pH<=7.5', 'pH>7.5'] as const;

export function classifySoil(el: SoilElement, value: number, ph: number, use: LandUse): SoilResult {
  const screening = screeningValue(el, ph, use);
  const intervention = interventionValue(el, ph);
  const risk: SoilRisk = value <= screening ? 'low_risk' : intervention !== null && value > intervention ? 'high_risk' : 'at_risk';
  return { risk, riskZh: RISK_ZH[risk], screening, intervention, phBand: BAND_LABEL[phBand(ph)] };
}

export function isSoilElement(s: string): s is SoilElement {
  return Object.hasOwn(SCREENING, s);
}

const RISK_RANK: Readonly<Record<SoilRisk, number>> = { low_risk: 0, at_risk: 1, high_risk: 2 };
export function worseRisk(a: SoilRisk | null, b: SoilRisk): SoilRisk {
  return a === null || RISK_RANK[b] > RISK_RANK[a] ? b : a;
}
