import { z } from 'zod';
import { MetricCode } from './metrics.js';
import { ReferenceLevels } from './levels.js';

export const STATION_ID_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const StationId = z.string().regex(STATION_ID_RE, 'station id: lower-case letters, digits, ".", "_" or "-", at most 64');
export type StationId = z.infer<typeof StationId>;

export const StationKind = z.enum([
  'hydrology_gauge', // 水文站 / 水位站
  'reservoir', // 水库
  'lake_gauge', // 湖泊站
  'water_quality', // 水质自动监测站
  'water_intake', // 饮用水水源取水口
  'air_quality', // 空气质量自动监测站
  'soil', // 土壤监测点
]);
export type StationKind = z.infer<typeof StationKind>;

/**
 * Summary of a river or lake gauge's current 设防 / 警戒 / 保证 levels (the latest revision, the
 * conservative value where sources disagree), kept for simple consumers. Null for reservoirs:
 * their operating levels are not gauge levels. The full record — datum, effective dates,
 * revisions, seasons, sources, ambiguities — is `referenceLevels`; use `levelsAt()`.
 */
export const GaugeLevels = z.object({
  /** 设防水位 set-up level, m */
  setup: z.number().nullable(),
  /** 警戒水位 warning level, m */
  warning: z.number().nullable(),
  /** 保证水位 guaranteed level, m */
  guaranteed: z.number().nullable(),
  /** historical maximum, m */
  historicalMax: z.number().nullable().optional(),
});
export type GaugeLevels = z.infer<typeof GaugeLevels>;

export const Station = z.object({
  id: StationId,
  name: z.object({ zh: z.string().min(1), en: z.string().min(1) }),
  kind: StationKind,
  location: z.object({
    lon: z.number().min(-180).max(180),
    lat: z.number().min(-90).max(90),
    elevation: z.number().nullable().default(null),
    /** True when the position is an approximation (not surveyed). */
    approximate: z.boolean().default(true),
  }),
  river: z.string().nullable().default(null),
  /** Distance along the river from the reach origin (km); for ordering downstream. */
  riverKm: z.number().nullable().default(null),
  lake: z.string().nullable().default(null),
  metrics: z.array(MetricCode).min(1),
  jurisdiction: z.object({
    /** Administrative division, e.g. 湖北省武汉市 */
    admin: z.string().min(1),
    /** Operating agency */
    owner: z.string().min(1),
    /** 河湖长 (river chief) post responsible */
    riverChief: z.string().nullable().default(null),
  }),
  levels: GaugeLevels.nullable().default(null),
  /** Reference levels (gauge or reservoir kinds) with datum, dates, sources; see levels.ts. */
  referenceLevels: ReferenceLevels.nullable().default(null),
  /** Bank of the river a site is on, looking downstream (intakes: the plume side matters). */
  bank: z.enum(['left', 'right']).nullable().default(null),
  /**
   * HJ 212 监测点编码 (MN) of the station's data logger, at most 24 characters. null: derived
   * from the id by `mnOf()` (schemas/src/mn.ts), the one rule shared by simulator and ingest.
   */
  mn: z.string().regex(/^[\x21-\x7e]{1,24}$/, 'MN: 1-24 printable ASCII characters').refine((s) => !/[;,=&#]/.test(s), 'MN must not contain ; , = & #').nullable().default(null),
  synthetic: z.boolean().default(false),
  /** Free-text provenance of the station's facts. */
  source: z.string().nullable().default(null),
});
export type Station = z.infer<typeof Station>;
export type StationInput = z.input<typeof Station>;
