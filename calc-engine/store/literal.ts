/**
 * SQL literals for statements sent as text: the few places that batch many statements into one
 * round trip (simple query protocol, no parameters) or build a COPY query, which takes none.
 * Quotes are doubled; standard_conforming_strings (on since PostgreSQL 9.1) keeps backslashes literal.
 */

/** A text literal. */
export const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** A timestamptz literal of epoch ms. */
export const instant = (t: number): string => `${literal(new Date(t).toISOString())}::timestamptz`;

/** A text[] literal. */
export const textArray = (list: readonly string[]): string => `ARRAY[${list.map(literal).join(',')}]::text[]`;

/**
 * Take transaction-scoped advisory locks of class `lockClass` on `keys`, hashed onto 2^20 slots
 * and taken in slot order, so two transactions locking overlapping keys never deadlock.
 */
export const advisoryLocksSql = (lockClass: number, keys: readonly string[]): string =>
  `SELECT pg_advisory_xact_lock(${lockClass}, k) FROM (SELECT DISTINCT hashtext(p) & 1048575 AS k FROM unnest(${textArray(keys)}) AS p ORDER BY 1) x`;
