/**
 * Reopening a settled month: the lock goes, the changes held while it was locked are applied
 * (readings through the write path, adjustments into their table, other kinds by the appliers
 * given), and the next run makes version n+1 with a difference statement. Audited.
 */
import { sql } from 'kysely';
import { formatRegisterValue, type Database, type WriteResult } from '../../schema/index.ts';
import { MonthLockedError, readingRows, writeReadingsUnlessLocked, type HeldReading } from './lock.ts';
import { audit, checkMonth, lockMonthRow } from './settle.ts';
import { latestRun, type SettlementRun } from './store.ts';

/** Applies a held change of one kind. */
export type PendingApplier = (handle: Database, payload: unknown, change: { id: string; actor: string; reason: string | null }) => Promise<void>;

/** What to reopen, who and why. */
export interface ReopenOptions {
  month: string;
  actor: string;
  reason: string;
  /** Appliers for held change kinds beyond `readings` and `adjustment`. */
  appliers?: Record<string, PendingApplier>;
}

/** The outcome of a reopen. */
export interface ReopenResult {
  run: SettlementRun;
  applied: string[];
  /** Held changes that could not be applied, with why (they stay in `pending_change` as failed). */
  failed: { id: string; error: string }[];
}

const builtIn: Record<string, PendingApplier> = {
  async readings(handle, payload, change) {
    const p = payload as { readings: HeldReading[]; onConflict?: 'refuse' | 'correct' };
    let conflicts: WriteResult['conflicts'];
    try {
      conflicts = (await writeReadingsUnlessLocked(handle, readingRows(p.readings), { actor: change.actor, onConflict: p.onConflict ?? 'refuse', ...(change.reason ? { reason: change.reason } : {}) })).conflicts;
    } catch (e) {
      // Rows in another still-locked month were held again under that month; the rest went in.
      if (!(e instanceof MonthLockedError)) throw e;
      conflicts = (e as MonthLockedError & { written?: WriteResult }).written?.conflicts ?? [];
    }
    // Values stored since the change was held disagree with it: refused, not dropped unseen.
    if (p.onConflict !== 'correct' && conflicts.length > 0) {
      const c = conflicts[0]!;
      throw new Error(`${conflicts.length} held value(s) differ from stored ones and were not applied (e.g. ${c.register} of ${c.pointId} at ${c.ts.toISOString()}: stored ${formatRegisterValue(c.stored)}, held ${formatRegisterValue(c.incoming)}); import them with --correct to store them as corrections`);
    }
  },
  async adjustment(handle, payload) {
    await handle.db.insertInto('adjustment').values(payload as never).execute();
  },
};

/** Reopen `month` for re-settlement and apply the changes held while it was locked. */
export async function reopenMonth(handle: Database, opts: ReopenOptions): Promise<ReopenResult> {
  const month = checkMonth(opts.month);
  if (!opts.reason?.trim()) throw new RangeError('a reopen needs a reason (--reason "…")');
  if (!opts.actor?.trim()) throw new RangeError('a reopen needs an actor (--actor NAME)');
  const run = await handle.db.transaction().execute(async (tx) => {
    await lockMonthRow(tx, month);
    const last = await latestRun(tx, month);
    if (!last) throw new Error(`month ${month} was never settled: nothing to reopen; settle it with meterflow settle --month ${month}`);
    if (last.state === 'reopened') throw new Error(`month ${month} is already reopened (by ${last.reopenedBy}: ${last.reopenReason}); settle it again with meterflow settle --month ${month}`);
    await sql`UPDATE settlement_run SET state = 'reopened', reopened_by = ${opts.actor}, reopened_at = now(), reopen_reason = ${opts.reason} WHERE id = ${last.id}::bigint`.execute(tx);
    // The month is recomputed once open: work the engine left out while it was settled (a
    // task spanning it, cut around the lock) takes effect now.
    await sql`INSERT INTO calc_task (point_id, from_ts, to_ts, reason)
      SELECT point_id, period_start, period_end, 'reopen' FROM month_lock WHERE month = ${`${month}-01`}::date`.execute(tx);
    await sql`DELETE FROM month_lock WHERE month = ${`${month}-01`}::date`.execute(tx);
    await audit(tx, opts.actor, 'reopen', last.id, opts.reason, { month, version: last.version });
    return { ...last, state: 'reopened' as const, reopenedBy: opts.actor, reopenReason: opts.reason };
  });
  const held = await sql<{ id: string; kind: string; payload: unknown; actor: string; reason: string | null }>`
    SELECT id::text AS id, kind, payload, actor, reason FROM pending_change WHERE month = ${`${month}-01`}::date AND state = 'held' ORDER BY id`.execute(handle.db);
  const appliers = { ...builtIn, ...opts.appliers };
  const applied: string[] = [];
  const failed: { id: string; error: string }[] = [];
  for (const c of held.rows) {
    const apply = appliers[c.kind];
    try {
      if (!apply) throw new Error(`no applier for held changes of kind '${c.kind}'`);
      await apply(handle, c.payload, c);
      await sql`UPDATE pending_change SET state = 'applied', applied_at = now() WHERE id = ${c.id}::bigint`.execute(handle.db);
      applied.push(c.id);
    } catch (e) {
      const error = (e as Error).message;
      await sql`UPDATE pending_change SET state = 'failed', error = ${error} WHERE id = ${c.id}::bigint`.execute(handle.db);
      failed.push({ id: c.id, error });
    }
  }
  if (held.rows.length > 0) await audit(handle.db, opts.actor, 'apply-pending', run.id, opts.reason, { month, applied, failed });
  return { run, applied, failed };
}
