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
