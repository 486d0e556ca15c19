/**
 * What a failed commit means, decided by the error's code alone (never its name or message).
 *
 * - `data`: PostgreSQL rejected something in the batch (SQLSTATE class 22 data exception, 23
 *   integrity constraint, 42 syntax/access rule, 54 program limit exceeded, 21 cardinality, 2F/39
 *   routine, P0 PL/pgSQL raise, XX000 internal error on a value). Retrying the same batch fails
 *   the same way: the pipeline bisects it, dead-letters the offending messages and commits the rest.
 * - `availability`: the database is unreachable, restarting, overloaded or aborted the transaction
 *   for concurrency (08 connection, 53 insufficient resources, 57 operator intervention, 40
 *   rollback/deadlock, 55 lock not available, 58 system error, 25 transaction state, socket error
 *   codes such as ECONNREFUSED). The batch is retried unchanged with jittered backoff.
 * - Anything without a code (a dropped connection reported by the driver as a plain Error) counts
 *   as availability: retrying is safe, dead-lettering good data is not.
 */
export type DbFailureKind = 'data' | 'availability';

export interface DbFailure {
  kind: DbFailureKind;
  /** SQLSTATE, socket error code, or null. */
  code: string | null;
  message: string;
}

const DATA_CLASSES = new Set(['21', '22', '23', '2F', '39', '42', '44', '54', 'P0']);
const SQLSTATE = /^[0-9A-Z]{5}$/;

export function classifyDbError(e: unknown): DbFailure {
  const err = (e ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof err.code === 'string' ? err.code : null;
  const message = typeof err.message === 'string' ? err.message : String(e);
  if (code && SQLSTATE.test(code)) {
    const cls = code.slice(0, 2);
    // XX000 internal_error is raised by extensions for bad values (e.g. chunk time out of range);
    // XX001/XX002 are data/index corruption: availability (an operator must act).
    const data = DATA_CLASSES.has(cls) || code === 'XX000';
    return { kind: data ? 'data' : 'availability', code, message };
  }
  return { kind: 'availability', code, message };
}
