/**
 * Manual energy (DESIGN.md §5): a supplementary figure adds to a computed one, a set figure
 * replaces it. Each is its own audited record — who, when, why — that the engine applies on the
 * next recomputation of its period; nothing computed is edited. A period of a settled month is
 * not changed: the record is kept as a pending change, applied when the month is reopened.
 */
import { DateTime } from 'luxon';
import { holdPending, isRegisterCode, lockedMonth, MonthLockedError, withTransaction, type Database, type RegisterCode } from '../../schema/index.ts';
import { dayPeriod, monthPeriod, type Period } from '../scheme.ts';
import { loadScheme } from './load.ts';

/** The period a manual figure belongs to: a local day, a billing month, or one interval by its end. */
export type AdjustedPeriod = { day: string } | { month: string } | { intervalEnd: Date };

/** A manual figure to record. */
export interface AdjustmentInput {
  pointId: string;
  register: string;
  kind: 'supplementary' | 'set';
  period: AdjustedPeriod;
  /** kWh or kvarh after multipliers, as decimal text (a supplement may be negative). */
  value: string;
  actor: string;
  reason: string;
}

/** A recorded manual figure. */
export interface RecordedAdjustment {
  id: string;
  period: Period & { kind: 'interval' | 'day' | 'month' };
}

/** Why a manual figure cannot be recorded as given (exit 2 at the CLI). */
export class AdjustmentError extends Error {}

/**
 * Record a manual figure, audited, and queue the recomputation of its period. Throws
 * {@link AdjustmentError} on bad input and {@link MonthLockedError} (with the change kept) when
 * its month is settled.
 */
export async function recordAdjustment(handle: Database, a: AdjustmentInput): Promise<RecordedAdjustment> {
  if (!isRegisterCode(a.register)) throw new AdjustmentError(`register '${a.register}' is not one of the 20 registers (e.g. ap_imp.total)`);
  // Figures are kept in hundredths of a primary unit, as every register figure.
  if (!/^-?\d+(\.\d{1,2})?$/.test(a.value.trim())) throw new AdjustmentError(`value '${a.value}' is not a decimal with at most two places (kWh or kvarh after multipliers)`);
  if (a.kind === 'set' && a.value.trim().startsWith('-')) throw new AdjustmentError('a set figure cannot be negative; a negative correction is a supplementary figure');
  if (!a.actor.trim() || !a.reason.trim()) throw new AdjustmentError('a manual figure names who enters it and why (--actor, --reason)');
  const point = await handle.db.selectFrom('metering_point').select(['time_zone', 'interval_seconds']).where('id', '=', a.pointId).executeTakeFirst();
  if (!point) throw new AdjustmentError(`no metering point '${a.pointId}' in the archive`);
  const period = await periodOf(handle, a.period, point.time_zone, point.interval_seconds * 1000);
  const row = {
    kind: a.kind, point_id: a.pointId, register: a.register as RegisterCode, period_kind: period.kind,
    period_start: new Date(period.from), value: a.value.trim(), actor: a.actor, reason: a.reason,
  };
  const done = await withTransaction(handle, async (client) => {
    // Strictly inside the period: a settled month's lock reaches to the next month's first instant.
    const lock = await lockedMonth(client, [a.pointId], new Date(period.from + 1), new Date(period.to - 1));
    if (lock) {
      // Kept, and committed before the refusal is raised.
      const pendingId = await holdPending(client, lock, { kind: 'adjustment', pointIds: [a.pointId], payload: row, actor: a.actor, reason: a.reason });
      return { held: new MonthLockedError(lock, pendingId, `: the manual figure of ${a.pointId} falls in it`) };
    }
    const r = await client.query(
      `INSERT INTO adjustment (kind, point_id, register, period_kind, period_start, value, actor, reason) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id::text AS id`,
      [row.kind, row.point_id, row.register, row.period_kind, row.period_start, row.value, row.actor, row.reason],
    );
    const id = r.rows[0].id as string;
    await client.query(
      `INSERT INTO audit_log (actor, action, entity, entity_id, reason, detail) VALUES ($1, 'adjust', 'adjustment', $2, $3, $4)`,
      [a.actor, id, a.reason, JSON.stringify({ point: a.pointId, register: a.register, kind: a.kind, period: period.kind, from: new Date(period.from).toISOString(), value: row.value })],
    );
    await client.query(`INSERT INTO calc_task (point_id, from_ts, to_ts, reason) VALUES ($1, $2, $3, 'adjustment')`, [a.pointId, new Date(period.from), new Date(period.to)]);
    return { recorded: { id, period } };
  });
  if ('held' in done) throw done.held;
  return done.recorded;
}

async function periodOf(handle: Database, p: AdjustedPeriod, zone: string, dt: number): Promise<Period & { kind: 'interval' | 'day' | 'month' }> {
  if ('intervalEnd' in p) {
    const end = p.intervalEnd.getTime();
    if (Number.isNaN(end) || end % dt !== 0) throw new AdjustmentError(`the interval end must be on the point's ${dt / 60_000}-minute grid (an ISO time with offset)`);
    return { kind: 'interval', from: end - dt, to: end };
  }
  const scheme = await loadScheme(handle.db);
  if ('day' in p) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(p.day) || !DateTime.fromISO(p.day).isValid) throw new AdjustmentError(`day '${p.day}' is not a date YYYY-MM-DD`);
    return { kind: 'day', ...dayPeriod(scheme, zone, p.day) };
  }
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(p.month)) throw new AdjustmentError(`month '${p.month}' is not YYYY-MM`);
  return { kind: 'month', ...monthPeriod(scheme, zone, p.month) };
}
