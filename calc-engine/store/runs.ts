/**
 * Open runs judged whole. An interval alarm covers a run of flagged intervals; a recomputation
 * of a range that reaches such a run but not all of it would see only the piece inside it, so
 * its interval checks look at the whole run (readings are read for it, nothing outside the
 * range is recomputed or written): a correction that ends a run early splits or shortens its
 * alarm, readings that carry a run on extend it — the alarms a computation from scratch finds.
 */
import { sql } from 'kysely';
import type { Database } from '../../schema/index.ts';
import type { RuleName } from '../alarms.ts';
import type { DirtyRange } from '../tasks/index.ts';

/**
 * Interval rules whose alarm is one run of flagged intervals, found from the readings and the
 * kernel alone (`tou-mismatch` and `demand-jump` alarm each interval; `outlier` also takes meter events).
 */
const RUN_RULES: readonly RuleName[] = ['reverse-energy', 'frozen-reading', 'missing-data'];

/** How far before a range a run is looked at again: a longer one is judged in its last part. */
export const RUN_REACH_MS = 35 * 86_400_000;

/** Where a point's interval checks look beyond what was recomputed, and for which rules. */
export interface RunWindow {
  readonly pointId: string;
  readonly from: number;
  readonly to: number;
  readonly rules: readonly RuleName[];
}

/**
 * The windows of the open run alarms that the ranges reach (overlap, or touch within one
 * interval) and that go on beyond them, one per point where they overlap.
 */
export async function openRunWindows(handle: Database, ranges: readonly DirtyRange[]): Promise<RunWindow[]> {
  if (ranges.length === 0) return [];
  let lo = Infinity, hi = -Infinity;
  for (const r of ranges) (lo = Math.min(lo, r.from.getTime())), (hi = Math.max(hi, r.to.getTime()));
  const HOUR = 3_600_000; // the longest interval a point may have
  const alarms = await handle.db.selectFrom('alarm as a').innerJoin('metering_point as p', 'p.id', 'a.object_id')
    .select(['a.object_id', 'a.rule', 'a.period_start', 'a.period_end', 'p.interval_seconds'])
    .where('a.state', '<>', 'cleared').where('a.object_kind', '=', 'point').where('a.rule', 'in', [...RUN_RULES])
    .where(sql<boolean>`a.object_id = any(${[...new Set(ranges.map((r) => r.pointId))]}::text[])`)
    .where('a.period_end', '>=', new Date(lo - HOUR)).where('a.period_start', '<=', new Date(hi + HOUR)).execute();
  const byPoint = new Map<string, typeof alarms>();
  for (const a of alarms) (byPoint.get(a.object_id) ?? byPoint.set(a.object_id, []).get(a.object_id)!).push(a);
  const found: RunWindow[] = [];
  for (const r of ranges) {
    const a0 = r.from.getTime(), b0 = r.to.getTime();
    for (const a of byPoint.get(r.pointId) ?? []) {
      // Readings in [a0, b0] change the intervals from one before a0 to one after b0.
      const step = Number(a.interval_seconds) * 1000, from = a.period_start.getTime(), to = a.period_end.getTime();
      if (from > b0 + step || to < a0 - step) continue; // not reached
      if (from >= a0 - step && to <= b0 + step) continue; // inside: the range's own checks see it whole
      found.push({ pointId: r.pointId, from: Math.max(Math.min(from, a0), a0 - RUN_REACH_MS), to: Math.max(to, b0), rules: [a.rule as RuleName] });
    }
  }
  return mergeWindows(found);
}

/** Overlapping windows of a point as one, with the rules of both. */
function mergeWindows(windows: readonly RunWindow[]): RunWindow[] {
  const out: RunWindow[] = [];
  for (const w of [...windows].sort((x, y) => (x.pointId < y.pointId ? -1 : x.pointId > y.pointId ? 1 : x.from - y.from))) {
    const last = out.at(-1);
    if (last && last.pointId === w.pointId && w.from <= last.to) {
      out[out.length - 1] = { ...last, to: Math.max(last.to, w.to), rules: [...new Set([...last.rules, ...w.rules])] };
    } else out.push(w);
  }
  return out;
}
