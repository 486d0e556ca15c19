import { z } from 'zod';
import { ApiError } from '@basin/schemas';

/** Error responses every route documents (the catalogue body). */
export const errorResponses = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError } as const;

export const IsoTime = z.iso.datetime({ offset: true }).describe('ISO-8601 time with offset, e.g. 2026-07-10T08:00:00Z');
export const Limit = (def: number, max: number) => z.coerce.number().int().min(1).max(max).default(def).describe(`page size, 1..${max}`);
export const IdParam = z.object({ id: z.coerce.number().int().positive() });

/** Opaque page cursor: base64url of a JSON tuple, e.g. [time, id]. */
export const encodeCursor = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
export function decodeCursor<T>(s: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (s === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new CursorError();
  return r.data;
}
export class CursorError extends Error {}

export const iso = (d: Date | string | null | undefined): string | null => (d === null || d === undefined ? null : new Date(d).toISOString());

/** RFC 4180 CSV of rows under a header (values quoted when they need it). */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** Whether the client asked for CSV (`?format=csv` or `Accept: text/csv`). */
export function wantsCsv(format: string | undefined, accept: string | undefined): boolean {
  return format === 'csv' || (format === undefined && /\btext\/csv\b/.test(accept ?? ''));
}
