/**
 * Missing interval records: which interval boundaries of each point in a window have no
 * stored reading. Asked of the database, so the collector's backfill survives restarts.
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';

/** A run of consecutive missing interval records of one point (both ends included). */
export interface Gap {
  pointId: string;
  first: Date;
  last: Date;
  count: number;
}

/** Runs of missing interval records in [from, to] for the given points (all points when omitted). */
export async function missingIntervals(handle: Database, from: Date, to: Date, pointIds?: readonly string[]): Promise<Gap[]> {
  const r = await sql<{ point_id: string; first: Date; last: Date; n: number }>`
    WITH expected AS (
      SELECT p.id AS point_id, g.ts, make_interval(secs => p.interval_seconds) AS step
      FROM metering_point p
      CROSS JOIN LATERAL generate_series(
        date_bin(make_interval(secs => p.interval_seconds), ${from}::timestamptz - make_interval(secs => 1) + make_interval(secs => p.interval_seconds), TIMESTAMPTZ '2000-01-01 00:00Z'),
        ${to}::timestamptz, make_interval(secs => p.interval_seconds)) AS g(ts)
      WHERE ${pointIds ? sql`p.id = ANY(${[...pointIds]}::text[])` : sql`true`}),
    missing AS (
      SELECT e.point_id, e.ts, e.ts - (row_number() OVER (PARTITION BY e.point_id ORDER BY e.ts))::int * e.step AS island
      FROM expected e
      WHERE NOT EXISTS (SELECT 1 FROM reading r WHERE r.point_id = e.point_id AND r.ts = e.ts))
    SELECT point_id, min(ts) AS first, max(ts) AS last, count(*)::int AS n
    FROM missing GROUP BY point_id, island ORDER BY point_id, first`.execute(handle.db);
  return r.rows.map((x) => ({ pointId: x.point_id, first: x.first, last: x.last, count: x.n }));
}
