/**
 * Calculation tasks: raw-data and archive changes mark (point, period) ranges dirty in
 * `calc_task`; workers on any host claim them with `FOR UPDATE SKIP LOCKED`, so no task is
 * claimed twice, and a task whose worker died is claimed again once its lease runs out, so
 * none is lost.
 */
import { sql, type RawBuilder } from 'kysely';
import { DIRTY_GAP_MS, type Database } from '../../schema/index.ts';

/** A dirty range of one metering point. */
export interface DirtyRange {
  pointId: string;
  from: Date;
  to: Date;
  /** End of a month a settlement locked for the point before the range (set by `outsideLocks`): no interval up to it is recomputed. */
  lockedTo?: Date;
  /** Start of such a month after the range: no interval after it is recomputed. */
  lockedFrom?: Date;
}

/**
 * Intervals a reading can change on either side of it: the energy of the interval it ends and of
 * the one it starts, and the spike verdict of the interval beyond each of those, which is judged
 * against both of its neighbours.
 */
export const WINDOW_REACH_INTERVALS = 2;

/**
 * The intervals (from, to] on a grid of `dt` ms that a dirty range recomputes, short of a locked
 * month's intervals. An interval belongs to the month its end lies in, so in a zone off the hour
 * the interval a month's edge cuts belongs to the later month: recomputed after a locked month,
 * left alone before one.
 */
export function dirtyWindow(range: Omit<DirtyRange, 'pointId'>, dt: number): { from: number; to: number } {
  const lockedTo = range.lockedTo ? Math.floor(range.lockedTo.getTime() / dt) * dt : -Infinity;
  const lockedFrom = range.lockedFrom ? Math.floor(range.lockedFrom.getTime() / dt) * dt : Infinity;
  return {
    from: Math.max((Math.floor(range.from.getTime() / dt) - WINDOW_REACH_INTERVALS) * dt, lockedTo),
    to: Math.min((Math.ceil(range.to.getTime() / dt) + WINDOW_REACH_INTERVALS) * dt, lockedFrom),
  };
}

/**
 * The instants [from, to) whose local days and months a range touches: a reading at t closes the
 * interval ending at t, so the day holding t − 1 ms is touched too — but never a day of a month
 * a settlement has locked beside the range.
 */
export function touchedSpan(range: Omit<DirtyRange, 'pointId'>): { from: number; to: number } {
  return {
    from: Math.max(range.from.getTime() - 1, range.lockedTo?.getTime() ?? -Infinity),
    to: Math.min(range.to.getTime() + 1, range.lockedFrom?.getTime() ?? Infinity),
  };
}

/** The part of a range in a month a settlement has locked for the point: not recomputed. */
export interface LockedPart {
  pointId: string;
  /** The billing month, `YYYY-MM`. */
  month: string;
  from: Date;
  to: Date;
}

/**
 * Ranges cut around the months a settlement has locked for their points: the parts outside,
 * each with the locked edges beside it (`lockedTo`, `lockedFrom`: its window stops short of
 * them), and the locked parts, left out. A settled month's figures stay as settled until the
 * month is reopened (`meterflow settle --reopen`): `meterflow engine recompute` and the worker
 * cut their ranges here.
 */
export async function outsideLocks(handle: Database, ranges: readonly DirtyRange[]): Promise<{ ranges: DirtyRange[]; locked: LockedPart[] }> {
  if (ranges.length === 0) return { ranges: [], locked: [] };
  let lo = Infinity, hi = -Infinity; // a loop: Math.min(...) of many ranges overflows the stack
  for (const r of ranges) (lo = Math.min(lo, r.from.getTime())), (hi = Math.max(hi, r.to.getTime()));
  // A day either side: a window reaches a few intervals beyond its range.
  const rows = await sql<{ point_id: string; month: string; period_start: Date; period_end: Date }>`
    SELECT point_id, to_char(month, 'YYYY-MM') AS month, period_start, period_end FROM month_lock
    WHERE point_id = ANY(${[...new Set(ranges.map((r) => r.pointId))]}::text[])
      AND period_end >= ${new Date(lo - DAY_MS)} AND period_start <= ${new Date(hi + DAY_MS)}
    ORDER BY point_id, period_start`.execute(handle.db);
  const locksOf = new Map<string, typeof rows.rows>();
  for (const l of rows.rows) (locksOf.get(l.point_id) ?? locksOf.set(l.point_id, []).get(l.point_id)!).push(l);
  const out: DirtyRange[] = [], locked: LockedPart[] = [];
  for (const r of ranges) {
    let from = r.from.getTime(), lockedTo = r.lockedTo?.getTime() ?? -Infinity;
    for (const l of locksOf.get(r.pointId) ?? []) {
      const a = l.period_start.getTime(), b = l.period_end.getTime();
      if (b <= from) lockedTo = Math.max(lockedTo, b);
      if (b <= from || a >= r.to.getTime()) continue;
      // The part before this lock (a reading at its start still closes the open month's last
      // interval), then the lock itself: its readings at (a, b] are the month's.
      if (from <= a && lockedTo < a) out.push(piece(r, from, a, lockedTo, a));
      locked.push({ pointId: r.pointId, month: l.month, from: new Date(Math.max(from, a)), to: new Date(Math.min(r.to.getTime(), b)) });
      from = b;
      lockedTo = b;
    }
    const next = (locksOf.get(r.pointId) ?? []).find((l) => l.period_start.getTime() >= r.to.getTime());
    const lockedFrom = Math.min(next?.period_start.getTime() ?? Infinity, r.lockedFrom?.getTime() ?? Infinity);
    // Nothing is left between two locked months that meet.
    if (from <= r.to.getTime() && lockedTo < lockedFrom) out.push(piece(r, from, r.to.getTime(), lockedTo, lockedFrom));
  }
  return { ranges: out, locked };
}

/** The locked parts by month: how many parts (one per point and range) each month kept as settled. */
export function lockedMonths(locked: readonly LockedPart[]): Map<string, number> {
  const months = new Map<string, number>();
  for (const l of locked) months.set(l.month, (months.get(l.month) ?? 0) + 1);
  return months;
}

function piece(r: DirtyRange, from: number, to: number, lockedTo: number, lockedFrom: number): DirtyRange {
  return {
    pointId: r.pointId, from: new Date(from), to: new Date(to),
    ...(Number.isFinite(lockedTo) ? { lockedTo: new Date(lockedTo) } : {}),
    ...(Number.isFinite(lockedFrom) ? { lockedFrom: new Date(lockedFrom) } : {}),
  };
}

const DAY_MS = 86_400_000;

/** Claimed tasks of one point whose ranges overlap or nearly touch, merged into one range. */
export interface ClaimedWork extends DirtyRange {
  taskIds: string[];
}

/** How a worker claims. */
export interface ClaimOptions {
  /** Worker id recorded on the task (host:pid:n). */
  worker: string;
  /** At most this many tasks per claim. */
  limit?: number;
  /** A running task not renewed for this long is taken to belong to a dead worker (ms, default `DEFAULT_LEASE_MS`). */
  leaseMs?: number;
}


/** How long a claim holds without renewal: five minutes. */
export const DEFAULT_LEASE_MS = 300_000;

/** Mark ranges dirty (the write path does this for readings itself). */
export async function markDirty(handle: Database, ranges: readonly DirtyRange[], reason: string): Promise<void> {
  if (ranges.length === 0) return;
  await handle.db
    .insertInto('calc_task')
    .values(ranges.map((r) => ({ point_id: r.pointId, from_ts: r.from, to_ts: r.to, reason })))
    .execute();
}

/**
 * Claim pending tasks (and tasks of dead workers), merged per point where their ranges meet.
 * A point is claimed whole — every claimable task of it — and not while another worker holds a
 * live claim on it, so two workers do not recompute one point at once: the later result would
 * otherwise be computed from older readings than the one it overwrites.
 */
export async function claimWork(handle: Database, opts: ClaimOptions): Promise<ClaimedWork[]> {
  const limit = opts.limit ?? 500;
  const lease = leaseInterval(opts.leaseMs ?? DEFAULT_LEASE_MS);
  return claimPicked(handle, opts.worker, sql`
    first AS (
      SELECT id, point_id FROM calc_task c
      WHERE (state = 'pending' OR (state = 'running' AND claimed_at < now() - ${lease}::interval))
        AND NOT ${computedNow(lease)}
      ORDER BY point_id, id
      FOR UPDATE SKIP LOCKED
      LIMIT ${limit}),
    -- the rest of those points' tasks; the state is tested here, on the locked row, so a row
    -- another worker claimed meanwhile is not taken again
    picked AS (
      SELECT id FROM calc_task
      WHERE (state = 'pending' OR (state = 'running' AND claimed_at < now() - ${lease}::interval))
        AND point_id IN (SELECT point_id FROM first)
      FOR UPDATE SKIP LOCKED)`);
}

/**
 * Claim the pending tasks that lie inside `ranges` (same point, readings within [from, to]),
 * widened across gaps as `claimWork` widens them: a one-off recompute of those ranges takes
 * their work along, so nothing it covered is left pending (a settlement waits for pending work).
 * A point another worker computes now (a running task under a live `leaseMs`, the workers' lease) is left to it.
 */
export async function claimWithin(handle: Database, worker: string, ranges: readonly DirtyRange[], leaseMs = DEFAULT_LEASE_MS): Promise<ClaimedWork[]> {
  if (ranges.length === 0) return [];
  return claimPicked(handle, worker, sql`
    picked AS (
      SELECT c.id FROM calc_task c
      JOIN unnest(${ranges.map((x) => x.pointId)}::text[], ${ranges.map((x) => x.from)}::timestamptz[], ${ranges.map((x) => x.to)}::timestamptz[]) AS w(p, a, b)
        ON c.point_id = w.p AND c.from_ts >= w.a AND c.to_ts <= w.b
      WHERE c.state = 'pending'
        AND NOT ${computedNow(leaseInterval(leaseMs))}
      FOR UPDATE OF c SKIP LOCKED)`);
}

/** A lease in ms as an SQL interval literal. */
const leaseInterval = (ms: number) => `${Math.round(ms)} milliseconds`;

/**
 * Whether a worker is computing the point of task `c` now (a running task of it under a live
 * `lease`): a claim waits, since its later write would be from older readings.
 */
function computedNow(lease: string): RawBuilder<unknown> {
  return sql`EXISTS (SELECT 1 FROM calc_task r WHERE r.point_id = c.point_id AND r.state = 'running' AND r.claimed_at >= now() - ${lease}::interval)`;
}

/**
 * Claim for `worker` the tasks whose ids the CTE `picked` of `ctes` (the WITH list, without
 * `WITH`) selects and locks, widened across gaps and merged per point. An id may be picked more
 * than once (a task inside two asked ranges): DISTINCT here, since a locking SELECT cannot.
 */
async function claimPicked(handle: Database, worker: string, ctes: RawBuilder<unknown>): Promise<ClaimedWork[]> {
  const r = await sql<{ id: string; point_id: string; from_ts: Date; to_ts: Date }>`
    WITH ${ctes}
    UPDATE calc_task t SET state = 'running', claimed_by = ${worker}, claimed_at = now(), attempts = t.attempts + 1
    FROM (SELECT DISTINCT id FROM picked) p WHERE t.id = p.id
    RETURNING t.id, t.point_id, t.from_ts, t.to_ts`.execute(handle.db);
  return mergeWork(await widenAcrossGaps(handle, r.rows.map((t) => ({ pointId: t.point_id, from: t.from_ts, to: t.to_ts, taskIds: [t.id] }))));
}

/**
 * A point's ranges merged where they overlap or lie within a day of each other; far-apart
 * ranges (an installation in January, readings in October) stay separate pieces of work.
 * Merged after each task is widened, so ranges that meet once widened recompute each interval once.
 */
function mergeWork(work: readonly ClaimedWork[]): ClaimedWork[] {
  const sorted = [...work].sort((a, b) => (a.pointId < b.pointId ? -1 : a.pointId > b.pointId ? 1 : a.from.getTime() - b.from.getTime()));
  const out: ClaimedWork[] = [];
  for (const t of sorted) {
    const w = out.at(-1);
    if (w && w.pointId === t.pointId && t.from.getTime() <= w.to.getTime() + DIRTY_GAP_MS) {
      if (t.to > w.to) w.to = t.to;
      w.taskIds.push(...t.taskIds);
    } else out.push({ ...t, taskIds: [...t.taskIds] });
  }
  return out;
}

/** How far a range reaches across a gap: longer outages are judged where a recomputation reaches. */
const GAP_REACH = '92 days';

/**
 * Readings that end an outage change the intervals back to the reading before it: they are no
 * longer after the newest reading (not yet collected) but a gap (missing). Likewise readings
 * backfilled before a gap. Each range reaches to the point's nearest stored reading on either
 * side where more than an interval separates them, so the gap's intervals and its missing-data
 * alarm are judged whole, as a recomputation from scratch judges them — up to `GAP_REACH` (a
 * reading with a clock years off must not make a claim of years). A widened range that reaches
 * into a month a settlement has locked is cut around it where the worker recomputes
 * (`outsideLocks`), like any other range.
 */
async function widenAcrossGaps(handle: Database, work: ClaimedWork[]): Promise<ClaimedWork[]> {
  if (work.length === 0) return work;
  type Row = { i: string; dt: number; before: Date | null; after: Date | null };
  const r = await sql<Row>`
    SELECT c.i, p.interval_seconds * 1000 AS dt,
      (SELECT ts FROM reading WHERE point_id = c.p AND ts < c.a AND ts >= c.a - ${GAP_REACH}::interval ORDER BY ts DESC LIMIT 1) AS before,
      (SELECT ts FROM reading WHERE point_id = c.p AND ts > c.b AND ts <= c.b + ${GAP_REACH}::interval ORDER BY ts LIMIT 1) AS after
    FROM unnest(${work.map((w) => w.pointId)}::text[], ${work.map((w) => w.from)}::timestamptz[], ${work.map((w) => w.to)}::timestamptz[]) WITH ORDINALITY AS c(p, a, b, i)
    JOIN metering_point p ON p.id = c.p`.execute(handle.db);
  for (const row of r.rows) {
    const w = work[Number(row.i) - 1]!;
    const dt = Number(row.dt);
    // Only across a gap: the reading an interval away is in the window already.
    if (row.before && row.before.getTime() < w.from.getTime() - dt) w.from = row.before;
    if (row.after && row.after.getTime() > w.to.getTime() + dt) w.to = row.after;
  }
  return work;
}

/**
 * Renew this worker's claims on tasks it is still working on, so a recomputation that outlasts
 * the lease is not taken for a dead worker's and claimed again. Returns how many.
 */
export async function renewClaims(handle: Database, worker: string, taskIds: readonly string[]): Promise<number> {
  if (taskIds.length === 0) return 0;
  const r = await sql`UPDATE calc_task SET claimed_at = now() WHERE id = ANY(${[...taskIds]}::bigint[]) AND claimed_by = ${worker} AND state = 'running'`.execute(handle.db);
  return Number(r.numAffectedRows ?? 0);
}

/** Mark claimed tasks done; only this worker's claims are touched. Returns how many. */
export async function completeWork(handle: Database, worker: string, taskIds: readonly string[]): Promise<number> {
  if (taskIds.length === 0) return 0;
  const r = await handle.db
    .updateTable('calc_task')
    .set({ state: 'done', finished_at: new Date() })
    .where('id', 'in', [...taskIds])
    .where('claimed_by', '=', worker)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Give failed tasks back (pending) until `maxAttempts`, then mark them failed with the error. */
export async function failWork(handle: Database, worker: string, taskIds: readonly string[], error: string, maxAttempts = 3): Promise<void> {
  if (taskIds.length === 0) return;
  await sql`
    UPDATE calc_task SET state = CASE WHEN attempts >= ${maxAttempts} THEN 'failed' ELSE 'pending' END, error = ${error.replaceAll("\0", "")}
    WHERE id = ANY(${[...taskIds]}::bigint[]) AND claimed_by = ${worker} AND state = 'running'`.execute(handle.db);
}

/** Counts of tasks by state. */
export async function taskCounts(handle: Database): Promise<Record<'pending' | 'running' | 'done' | 'failed', number>> {
  const rows = await handle.db.selectFrom('calc_task').select(['state', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('state').execute();
  const out = { pending: 0, running: 0, done: 0, failed: 0 };
  for (const r of rows) out[r.state] = Number(r.n);
  return out;
}
