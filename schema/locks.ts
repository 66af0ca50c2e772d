/**
 * Month locks (DESIGN.md §8): once a month is settled, changes that would alter its figures are
 * refused with an error naming the settlement, and the refused change is kept in
 * `pending_change`, to be applied when the month is reopened. The bulk write path checks every
 * reading against the locks itself, so no writer (import, collector, backfill) can bypass them.
 */
import type { Database } from './database.ts';
import type { ReadingRow } from './readings.ts';

/** Anything that runs a query: a pool, a client inside a transaction. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

const q = (db: Database | Queryable): Queryable => ('pool' in db ? db.pool : db);

/** A lock on one point's settled month. */
export interface MonthLock {
  /** `YYYY-MM`. */
  month: string;
  runId: string;
  version: number;
  actor: string;
  lockedAt: Date;
  pointId: string;
  periodStart: Date;
  periodEnd: Date;
}

/** A change refused because it falls in a locked month; `pendingId` names where it is kept. */
export class MonthLockedError extends Error {
  constructor(readonly lock: MonthLock, readonly pendingId: string | null, detail = '') {
    super(
      `month ${lock.month} of point ${lock.pointId} is locked by settlement run #${lock.runId} (version ${lock.version}, by ${lock.actor} at ${lock.lockedAt.toISOString()})` +
        `${detail}; ${pendingId ? `the change is kept as pending change #${pendingId} and applied when the month is reopened` : 'the change was not stored'}` +
        ` — to change the month: meterflow settle --month ${lock.month} --reopen --reason "…"`,
    );
    this.name = 'MonthLockedError';
  }
}

const LOCK_COLUMNS = `to_char(l.month, 'YYYY-MM') AS month, l.run_id::text AS run_id, r.version, r.actor, r.created_at, l.point_id, l.period_start, l.period_end`;

function lockFrom(r: Record<string, unknown>): MonthLock {
  return {
    month: r.month as string, runId: r.run_id as string, version: r.version as number, actor: r.actor as string,
    lockedAt: r.created_at as Date, pointId: r.point_id as string, periodStart: r.period_start as Date, periodEnd: r.period_end as Date,
  };
}

/**
 * The lock covering any of `pointIds` between `from` and `to` (inclusive: a month's boundary
 * readings belong to it), or null. The earliest such month is returned.
 */
export async function lockedMonth(db: Database | Queryable, pointIds: readonly string[], from: Date, to: Date): Promise<MonthLock | null> {
  if (pointIds.length === 0) return null;
  const r = await q(db).query(
    `SELECT ${LOCK_COLUMNS} FROM month_lock l JOIN settlement_run r ON r.id = l.run_id
     WHERE l.point_id = ANY($1::text[]) AND l.period_start <= $3 AND l.period_end >= $2 ORDER BY l.month, l.point_id LIMIT 1`,
    [pointIds, from, to],
  );
  return r.rows[0] ? lockFrom(r.rows[0]) : null;
}

/** The locks of readings that fall in a locked month, by their index in `rows`. */
export async function readingLocks(db: Database | Queryable, rows: readonly ReadingRow[]): Promise<Map<number, MonthLock>> {
  const out = new Map<number, MonthLock>();
  if (rows.length === 0) return out;
  const r = await q(db).query(
    `SELECT DISTINCT ON (x.i) x.i AS i, ${LOCK_COLUMNS}
     FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS x(point_id, ts, i)
     JOIN month_lock l ON l.point_id = x.point_id AND x.ts BETWEEN l.period_start AND l.period_end
     JOIN settlement_run r ON r.id = l.run_id ORDER BY x.i, l.month`,
    [rows.map((x) => x.pointId), rows.map((x) => x.ts)],
  );
  for (const row of r.rows) out.set(Number(row.i) - 1, lockFrom(row));
  return out;
}

/** A change to keep while its month is locked. `kind` names the applier used on reopen. */
export interface HeldChange {
  kind: 'readings' | 'adjustment' | string;
  pointIds: readonly string[];
  payload: unknown;
  actor: string;
  reason?: string;
}

/** Keep a refused change for the locked month, audited; returns its id. */
export async function holdPending(db: Database | Queryable, lock: MonthLock, change: HeldChange): Promise<string> {
  const r = await q(db).query(
    `INSERT INTO pending_change (month, run_id, kind, point_ids, payload, actor, reason)
     VALUES ($1::date, $2::bigint, $3, $4::text[], $5::jsonb, $6, $7) RETURNING id::text AS id`,
    [`${lock.month}-01`, lock.runId, change.kind, change.pointIds, JSON.stringify(change.payload), change.actor, change.reason ?? null],
  );
  const id = r.rows[0]!.id as string;
  await q(db).query(
    `INSERT INTO audit_log (actor, action, entity, entity_id, reason, detail) VALUES ($1, 'hold-change', 'pending_change', $2, $3, $4::jsonb)`,
    [change.actor, id, change.reason ?? null, JSON.stringify({ month: lock.month, runId: lock.runId, kind: change.kind, points: change.pointIds })],
  );
  return id;
}

/** Register snapshots as kept in a pending change. */
export interface HeldReading {
  pointId: string;
  ts: string;
  source: ReadingRow['source'];
  quality?: ReadingRow['quality'];
  values: (number | null)[];
}

/** Readings to JSON. */
export function heldReadings(rows: readonly ReadingRow[]): HeldReading[] {
  return rows.map((r) => ({ pointId: r.pointId, ts: r.ts.toISOString(), source: r.source, ...(r.quality ? { quality: r.quality } : {}), values: [...r.values] }));
}

/** Held readings back to rows. */
export function readingRows(held: readonly HeldReading[]): ReadingRow[] {
  return held.map((h) => ({ pointId: h.pointId, ts: new Date(h.ts), source: h.source, ...(h.quality ? { quality: h.quality } : {}), values: h.values }));
}
