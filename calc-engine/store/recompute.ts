/**
 * Recomputing dirty ranges: the intervals of each dirty range, then the days and months that
 * contain them, then every statistical object those points belong to, for those days and
 * months — all written in one transaction. Recomputing twice changes nothing.
 */
import { ensurePartitions, withTransaction, type Database } from '../../schema/index.ts';
import { dirtyWindow, touchedSpan, WINDOW_REACH_INTERVALS, type DirtyRange } from '../tasks/index.ts';
import { intervalEnergies } from '../interval.ts';
import { dailyEnergy } from '../daily.ts';
import { monthlyEnergy } from '../monthly.ts';
import { objectEnergy, type ObjectFigure } from '../objects.ts';
import { pointEnergy } from '../period.ts';
import { intervalMs } from '../point.ts';
import { judgedReach } from '../kernel-carry.ts';
import { dayOf, dayPeriod, monthOfDay, monthPeriod, type StatisticalScheme } from '../scheme.ts';
import type { EnergyFigure } from '../figure.ts';
import type { PeriodFigure } from '../daily.ts';
import { holdScheme, loadContext, loadObjects, loadPointArchive, loadScheme } from './load.ts';
import { lockIntervals, saveIntervals, saveObjects, savePeriods } from './save.ts';
import { checkRecomputation } from './checks.ts';
import { applyAlarmGroups, openFrozenRuns, type AlarmListener } from './alarms.ts';

const DAY = 86_400_000;

/** What a recomputation wrote. */
export interface RecomputeStats {
  points: number;
  intervals: number;
  days: number;
  months: number;
  objectResults: number;
  alarms: { raised: number; updated: number; cleared: number };
  /** The figures computed, for the rules that check them. */
  figures: { intervals: EnergyFigure[]; days: PeriodFigure[]; months: PeriodFigure[]; objects: { kind: 'day' | 'month'; figure: ObjectFigure }[] };
}

/** Local days touched by [from, to) in a zone; `day` finds the day of an instant (a cache may stand in). */
export function daysBetween(scheme: StatisticalScheme, zone: string, from: number, to: number, day = (t: number) => dayOf(scheme, zone, t)): string[] {
  const days: string[] = [];
  if (from >= to) return days; // an empty span touches no day (a range squeezed between two settled months)
  let date = day(from);
  const last = day(to - 1);
  for (;;) {
    days.push(date);
    if (date >= last) break;
    date = new Date(Date.parse(date) + DAY).toISOString().slice(0, 10); // calendar dates: no zone involved
  }
  return days;
}

/** How to recompute. */
export interface RecomputeOptions {
  scheme?: StatisticalScheme;
  /** Run the plausibility checks and reconcile alarms (default true). */
  checks?: boolean;
  /** Told of every raised, updated and cleared alarm. */
  alarmListeners?: readonly AlarmListener[];
}

/** Recompute the given dirty ranges and everything above them, then check them. */
export async function recomputeRanges(handle: Database, ranges: readonly DirtyRange[], opts: RecomputeOptions = {}): Promise<RecomputeStats> {
  const scheme = opts.scheme ?? (await loadScheme(handle.db));
  const dirtyIds = [...new Set(ranges.map((r) => r.pointId))];
  const objects = await loadObjects(handle, dirtyIds);
  // The objects' other members are computed too (loadContext adds every bypass partner).
  const ids = [...new Set([...dirtyIds, ...objects.flatMap((o) => o.members.map((m) => m.pointId))])];
  const archive = await loadPointArchive(handle, ids);
  const zones = new Map([...archive.values()].map((a) => [a.config.id, a.config.zone]));
  const known = ranges.filter((r) => zones.has(r.pointId));

  // The periods each dirty point touches, and the window of readings they need.
  const days = new Map<string, Set<string>>();
  const months = new Map<string, Set<string>>();
  let lo = Infinity, hi = -Infinity;
  for (const r of known) {
    const zone = zones.get(r.pointId)!;
    const d = days.get(r.pointId) ?? new Set<string>();
    const m = months.get(r.pointId) ?? new Set<string>();
    const span = touchedSpan(r);
    for (const day of daysBetween(scheme, zone, span.from, span.to)) {
      d.add(day);
      m.add(monthOfDay(scheme, day));
    }
    days.set(r.pointId, d);
    months.set(r.pointId, m);
    for (const month of m) {
      const p = monthPeriod(scheme, zone, month);
      lo = Math.min(lo, p.from);
      hi = Math.max(hi, p.to);
    }
  }
  const stats: RecomputeStats = { points: known.length, intervals: 0, days: 0, months: 0, objectResults: 0, alarms: { raised: 0, updated: 0, cleared: 0 }, figures: { intervals: [], days: [], months: [], objects: [] } };
  if (known.length === 0) return stats;

  // A day either side, or as far as a point's verdicts reach beyond a window that itself reaches
  // past its months' edges (kernel-carry.ts, tasks), one interval more where an edge is off the grid.
  let reach = DAY;
  for (const a of archive.values()) reach = Math.max(reach, (judgedReach(a.config) + WINDOW_REACH_INTERVALS + 1) * intervalMs(a.config));
  const { ctx } = await loadContext(handle, ids, new Date(lo - reach), new Date(hi + reach), scheme, archive);
  const f = stats.figures;
  // Ranges of one point that meet share their edge intervals: each is written once.
  const seen = new Map<string, Set<number>>();
  for (const r of known) {
    const w = dirtyWindow(r, intervalMs(ctx.points.get(r.pointId)!.config));
    const ends = seen.get(r.pointId) ?? seen.set(r.pointId, new Set()).get(r.pointId)!;
    for (const x of intervalEnergies(ctx, r.pointId, w.from, w.to)) {
      if (ends.has(x.to)) continue;
      ends.add(x.to);
      f.intervals.push(x);
    }
  }
  for (const [id, set] of days) for (const day of set) f.days.push(dailyEnergy(ctx, scheme, id, day));
  for (const [id, set] of months) for (const month of set) f.months.push(monthlyEnergy(ctx, scheme, id, month));

  const configs = new Map([...ctx.points.values()].map((p) => [p.config.id, p.config]));
  for (const o of objects) {
    const zone = zones.get(o.members[0]!.pointId)!;
    const oDays = new Set<string>(), oMonths = new Set<string>();
    for (const m of o.members) {
      for (const d of days.get(m.pointId) ?? []) oDays.add(d);
      for (const mo of months.get(m.pointId) ?? []) oMonths.add(mo);
    }
    const windows: ['day' | 'month', { from: number; to: number }][] = [
      ...[...oDays].map((d) => ['day', dayPeriod(scheme, zone, d)] as ['day', { from: number; to: number }]),
      ...[...oMonths].map((m) => ['month', monthPeriod(scheme, zone, m)] as ['month', { from: number; to: number }]),
    ];
    for (const [kind, w] of windows) {
      const figures = new Map(o.members.map((m) => [m.pointId, pointEnergy(ctx, m.pointId, w.from, w.to)]));
      f.objects.push({ kind, figure: objectEnergy(o, w.from, w.to, figures, configs) });
    }
  }

  if (f.intervals.length > 0) {
    // A loop, not Math.min(...): a year of intervals of many points overflows the call stack.
    let first = Infinity, last = -Infinity;
    for (const x of f.intervals) (first = Math.min(first, x.to)), (last = Math.max(last, x.to));
    await ensurePartitions(handle.db, 'interval_energy', new Date(first), new Date(last));
  }
  await withTransaction(handle, async (client) => {
    await holdScheme(client, scheme);
    await lockIntervals(client, known.map((r) => r.pointId));
    stats.intervals = await saveIntervals(client, handle.copy, f.intervals);
    stats.days = await savePeriods(client, handle.copy, 'daily_energy', f.days);
    stats.months = await savePeriods(client, handle.copy, 'monthly_energy', f.months);
    stats.objectResults = (await saveObjects(client, handle.copy, 'day', f.objects.filter((x) => x.kind === 'day').map((x) => x.figure)))
      + (await saveObjects(client, handle.copy, 'month', f.objects.filter((x) => x.kind === 'month').map((x) => x.figure)));
  });
  if (opts.checks !== false) {
    const limits = new Map([...archive.values()].map((a) => [a.config.id, a.limits]));
    const frozen = await openFrozenRuns(handle, known.map((r) => r.pointId));
    const c = await applyAlarmGroups(handle, checkRecomputation(ctx, known, stats, objects, limits, frozen), opts.alarmListeners, scheme);
    stats.alarms = { raised: c.raise.length, updated: c.update.length, cleared: c.clear.length };
  }
  return stats;
}
