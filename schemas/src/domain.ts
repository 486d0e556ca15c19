import { z } from 'zod';

/** Chinese four-colour warning levels (蓝 / 黄 / 橙 / 红), least to most severe. */
export const Severity = z.enum(['blue', 'yellow', 'orange', 'red']);
export type Severity = z.infer<typeof Severity>;
export const SEVERITY_RANK: Record<Severity, number> = { blue: 1, yellow: 2, orange: 3, red: 4 };

export const WaterClass = z.enum(['I', 'II', 'III', 'IV', 'V', 'worse_than_V']);
export type WaterClass = z.infer<typeof WaterClass>;
