/**
 * Month locks: once a month is settled, changes that would alter its figures (raw readings,
 * adjustments, archive) are refused with an error naming the settlement, and the refused change
 * is kept in `pending_change` to be applied when the month is reopened. The write paths call
 * {@link lockedMonth} (or {@link assertUnlocked}) and {@link holdPending};
 * {@link writeReadingsUnlessLocked} does both for register snapshots.
 */
import { sql, type Kysely } from 'kysely';
import { writeReadings, type Database, type ReadingRow, type WriteOptions, type WriteResult } from '../../schema/index.ts';

/** A database handle or a Kysely instance / transaction. */
export type Db = Database | Kysely<any>;
/** The Kysely instance of a handle. */
export function kyselyOf(db: Db): Kysely<any> {
  return 'pool' in db ? (db as Database).db : (db as Kysely<any>);
}

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

const LOCK_COLUMNS = sql`to_char(l.month, 'YYYY-MM') AS month, l.run_id::text AS run_id, r.version, r.actor, r.created_at, l.point_id, l.period_start, l.period_end`;

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
export async function lockedMonth(db: Db, pointIds: readonly string[], from: Date, to: Date): Promise<MonthLock | null> {
  if (pointIds.length === 0) return null;
  const r = await sql<Record<string, unknown>>`
    SELECT ${LOCK_COLUMNS} FROM month_lock l JOIN settlement_run r ON r.id = l.run_id
    WHERE l.point_id = ANY(${pointIds as string[]}::text[]) AND l.period_start <= ${to} AND l.period_end >= ${from}
    ORDER BY l.month, l.point_id LIMIT 1`.execute(kyselyOf(db));
  return r.rows[0] ? lockFrom(r.rows[0]) : null;
}

/** Throw {@link MonthLockedError} (nothing kept) when the range touches a locked month. */
export async function assertUnlocked(db: Db, pointIds: readonly string[], from: Date, to: Date): Promise<void> {
  const lock = await lockedMonth(db, pointIds, from, to);
  if (lock) throw new MonthLockedError(lock, null);
}

/** A change to keep while its month is locked. `kind` names the applier used on reopen. */
export interface HeldChange {
  kind: 'readings' | 'adjustment' | string;
  pointIds: readonly string[];
  payload: unknown;
  actor: string;
  reason?: string;
}

/** Keep a refused change for the locked month; returns its id. */
export async function holdPending(db: Db, lock: MonthLock, change: HeldChange): Promise<string> {
  const r = await sql<{ id: string }>`
    INSERT INTO pending_change (month, run_id, kind, point_ids, payload, actor, reason)
    VALUES (${`${lock.month}-01`}::date, ${lock.runId}::bigint, ${change.kind}, ${change.pointIds as string[]}::text[], ${JSON.stringify(change.payload)}::jsonb, ${change.actor}, ${change.reason ?? null})
    RETURNING id::text AS id`.execute(kyselyOf(db));
  const id = r.rows[0]!.id;
  await sql`INSERT INTO audit_log (actor, action, entity, entity_id, reason, detail)
    VALUES (${change.actor}, 'hold-change', 'pending_change', ${id}, ${change.reason ?? null},
      ${JSON.stringify({ month: lock.month, runId: lock.runId, kind: change.kind, points: change.pointIds })}::jsonb)`.execute(kyselyOf(db));
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

/** Readings to JSON and back. */
export function heldReadings(rows: readonly ReadingRow[]): HeldReading[] {
  return rows.map((r) => ({ pointId: r.pointId, ts: r.ts.toISOString(), source: r.source, ...(r.quality ? { quality: r.quality } : {}), values: [...r.values] }));
}

/** Held readings back to rows. */
export function readingRows(held: readonly HeldReading[]): ReadingRow[] {
  return held.map((h) => ({ pointId: h.pointId, ts: new Date(h.ts), source: h.source, ...(h.quality ? { quality: h.quality } : {}), values: h.values }));
}

/**
 * Write register snapshots, except those in a locked month: those are kept as one pending change
 * and, after the others are written, a {@link MonthLockedError} is thrown naming the settlement
 * and the pending change (its `written` result tells what did go in).
 */
export async function writeReadingsUnlessLocked(handle: Database, rows: readonly ReadingRow[], opts: WriteOptions = {}): Promise<WriteResult> {
  if (rows.length === 0) return writeReadings(handle, rows, opts);
  const r = await sql<Record<string, unknown> & { i: string }>`
    SELECT DISTINCT ON (x.i) x.i::text AS i, ${LOCK_COLUMNS}
    FROM unnest(${rows.map((x) => x.pointId)}::text[], ${rows.map((x) => x.ts)}::timestamptz[]) WITH ORDINALITY AS x(point_id, ts, i)
    JOIN month_lock l ON l.point_id = x.point_id AND x.ts BETWEEN l.period_start AND l.period_end
    JOIN settlement_run r ON r.id = l.run_id ORDER BY x.i, l.month`.execute(handle.db);
  if (r.rows.length === 0) return writeReadings(handle, rows, opts);
  const lockedIdx = new Set(r.rows.map((x) => Number(x.i) - 1));
  const lock = lockFrom(r.rows[0]!);
  const held = rows.filter((_, i) => lockedIdx.has(i));
  const free = rows.filter((_, i) => !lockedIdx.has(i));
  const written = await writeReadings(handle, free, opts);
  const pendingId = await holdPending(handle, lock, {
    kind: 'readings', pointIds: [...new Set(held.map((x) => x.pointId))].sort(), payload: { readings: heldReadings(held), onConflict: opts.onConflict ?? 'refuse' },
    actor: opts.actor ?? 'unknown', ...(opts.reason ? { reason: opts.reason } : {}),
  });
  const err = new MonthLockedError(lock, pendingId, `: ${held.length} of ${rows.length} readings fall in it (${free.length} others written)`);
  throw Object.assign(err, { written });
}
