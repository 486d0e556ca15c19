/**
 * Unit conversion to the catalogue's units (METRICS[*].unit, SenML / UCUM unit symbols), for
 * readings that say which unit they were measured in (SenML `u` / `bu`). Only conversions with an
 * exact definition are listed; anything else is not converted (the caller rejects the reading).
 * Sources: RFC 8428 §12.1 and the IANA SenML Units registry (symbols), UCUM (definitions).
 */

/** value in `from` = factor × value + offset in `to` */
interface Conversion {
  factor: number;
  offset?: number;
}

const TABLE: Readonly<Record<string, Readonly<Record<string, Conversion>>>> = {
  m: { cm: { factor: 0.01 }, mm: { factor: 0.001 }, km: { factor: 1000 } },
  mm: { m: { factor: 1000 }, cm: { factor: 10 } },
  'm3/s': { 'l/s': { factor: 0.001 }, 'L/s': { factor: 0.001 }, 'm3/h': { factor: 1 / 3600 } },
  Cel: { K: { factor: 1, offset: -273.15 }, '[degF]': { factor: 5 / 9, offset: (-32 * 5) / 9 } },
  'mg/L': { 'g/L': { factor: 1000 }, 'ug/L': { factor: 0.001 }, 'g/m3': { factor: 1 }, 'mg/l': { factor: 1 } },
  'uS/cm': { 'mS/cm': { factor: 1000 }, 'S/m': { factor: 10_000 }, 'mS/m': { factor: 10 } },
  'ug/m3': { 'mg/m3': { factor: 1000 } },
  'mg/m3': { 'ug/m3': { factor: 0.001 } },
  '%': { '/': { factor: 100 }, 'm3/m3': { factor: 100 } },
  'mg/kg': { 'ug/g': { factor: 1 }, 'g/kg': { factor: 1000 }, 'ug/kg': { factor: 0.001 } },
};

/** The micro sign (U+00B5) and Greek mu (U+03BC) are written `u` in SenML / UCUM symbols. */
export function normaliseUnit(u: string): string {
  return u.trim().replace(/[\u00b5\u03bc]/g, 'u');
}

/**
 * `value` measured in `from`, expressed in `to`; null when there is no exact conversion. The same
 * unit (after normalising the micro sign) returns the value unchanged.
 */
export function convertUnit(value: number, from: string, to: string): number | null {
  const f = normaliseUnit(from);
  const t = normaliseUnit(to);
  if (f === t) return value;
  const c = TABLE[t]?.[f];
  if (!c) return null;
  return value * c.factor + (c.offset ?? 0);
}

/** Units convertible to `to` (for error messages and documentation). */
export function unitsConvertibleTo(to: string): string[] {
  return [to, ...Object.keys(TABLE[normaliseUnit(to)] ?? {})];
}
