/**
 * The plausibility checks of a recomputation: interval rules from the columnar kernel over the
 * dirty ranges, figure rules on the recomputed days and months, object rules on the objects'
 * days and months. Returns the candidates and the scope they were looked for in, so alarms in
 * that scope that no candidate confirms are cleared.
 */
import type { AlarmCandidate, RuleName, AlarmObjectKind } from '../alarms.ts';
import type { KernelView } from '../rules/kernel-view.ts';
import type { PeriodFigure } from '../daily.ts';
import type { ObjectFigure } from '../objects.ts';
import type { EnergyContext } from '../period.ts';
import type { PointData } from '../point.ts';
import type { MeterEpoch } from '../epochs.ts';
import type { EnergyFigure } from '../figure.ts';
import { intervalSumCandidates } from '../rules/interval-sum.ts';
import type { Rational } from '../rational.ts';
import { intervalMs } from '../point.ts';
import { pointChunk } from '../kernel-chunk.ts';
import { runKernel } from '../kernel.ts';
import { outlierCandidates, decreaseCandidates } from '../rules/outlier.ts';
import { touMismatchCandidates } from '../rules/tou-mismatch.ts';
import { reverseEnergyCandidates } from '../rules/reverse-energy.ts';
import { frozenReadingCandidates } from '../rules/frozen-reading.ts';
import { demandJumpCandidates } from '../rules/demand-jump.ts';
import { missingReadingCandidates } from '../rules/missing-data.ts';
import { energyLimitCandidates } from '../rules/energy-limit.ts';
import type { PeriodLimits } from './load.ts';
import { busImbalanceCandidates, defaultBusLimits } from '../rules/bus-imbalance.ts';
import { transformerLossCandidates, DEFAULT_TRANSFORMER_LIMITS } from '../rules/transformer-loss.ts';
import { lineLossCandidates, DEFAULT_LINE_LIMITS } from '../rules/line-loss.ts';
import type { LossRateLimits } from '../rules/loss-rate.ts';
import type { RecomputeStats } from './recompute.ts';
import { dirtyWindow, type DirtyRange } from '../tasks/index.ts';
import type { StatObject } from '../objects.ts';
import type { AlarmPeriod, CheckGroup } from './alarms.ts';

/** Rules judged on intervals of the dirty ranges, from the kernel's flags. */
const INTERVAL_RULES: readonly RuleName[] = ['outlier', 'tou-mismatch', 'reverse-energy', 'frozen-reading', 'demand-jump'];
/** Judged between the first and the newest reading of a dirty range's window. */
const GAP_RULES: readonly RuleName[] = ['missing-data'];
/** Rules judged on days of points against their intervals. */
const DAY_SUM_RULES: readonly RuleName[] = ['interval-sum'];
/** Rules judged on days of points. */
const DAY_RULES: readonly RuleName[] = ['energy-limit'];
/** Rules judged on days and months of statistical objects. */
const OBJECT_RULES: readonly RuleName[] = ['bus-imbalance', 'transformer-loss', 'line-loss'];

/**
 * Whether a point is known to carry load, for the frozen-reading rule: its total active import
 * rose by at least one register step per interval on average over the loaded readings.
 */
export function carriesLoad(p: PointData): boolean {
  const { ts, values } = p.series;
  const n = ts.length;
  if (n < 2) return false;
  const first = values[0]!, last = values[(n - 1) * 20]!;
  const intervals = (ts[n - 1]! - ts[0]!) / intervalMs(p.config);
  return Number.isFinite(first) && Number.isFinite(last) && last - first >= intervals;
}

/** Open frozen-reading alarms of points, by point (`openFrozenRuns`). */
export type FrozenRuns = ReadonlyMap<string, readonly AlarmPeriod[]>;

/**
 * The open frozen-reading runs of a point that a window (from, to] continues: meeting it and
 * reaching outside it. Only the part outside is evidence the window does not judge again, so an
 * alarm inside the window never keeps itself alive.
 */
function continuedRuns(id: string, from: number, to: number, frozen: FrozenRuns): readonly AlarmPeriod[] {
  return (frozen.get(id) ?? []).filter((a) => a.to >= from && a.from <= to && (a.from < from || a.to > to));
}

/**
 * Whether a point is known to carry load over the window (from, to], for the frozen-reading
 * rule: its loaded readings show load (`carriesLoad`), or the window continues a frozen run
 * alarmed when it began (`continuedRuns`). A window inside a freeze of days sees no load in its
 * own readings, and would otherwise cut the run's alarm short. Only that run is judged on such
 * evidence (`intervalGroups`), not other flat stretches of a low-load point.
 */
export function knownLoaded(p: PointData, from: number, to: number, frozen: FrozenRuns): boolean {
  return carriesLoad(p) || continuedRuns(p.config.id, from, to, frozen).length > 0;
}

/** Energy limits of each point's days and months (kWh), from the archive. */
export type EnergyLimits = ReadonlyMap<string, PeriodLimits>;

// A day has at most 25 hours: a day scope never takes in (and clears) a month's alarm.
const LONGEST_DAY = 25 * 3_600_000;

function objectLimits(o: StatObject & { limits: Record<string, number> }, fallback: LossRateLimits): LossRateLimits {
  return {
    lowerPercent: o.limits.lowerPercent ?? fallback.lowerPercent,
    upperPercent: o.limits.upperPercent ?? fallback.upperPercent,
  };
}

/**
 * Interval-rule groups of one kernel view whose rows are points over one window (from, to]: the
 * kernel's flags and register decreases the points' `days` found, one scope per point, so its
 * alarms in the window that nothing confirms clear; and missing readings, in a scope of their own
 * between the window's first and newest reading.
 */
export function intervalGroups(view: KernelView, points: readonly PointData[], from: number, to: number, days: readonly PeriodFigure[], frozen: FrozenRuns = new Map()): CheckGroup[] {
  const byId = new Map(points.map((p) => [p.config.id, p]));
  // A frozen run on a point whose own readings show no load stands only as the continuation of an alarmed run.
  const continues = (c: AlarmCandidate) => {
    const p = byId.get(c.objectId);
    return !p || carriesLoad(p) || continuedRuns(c.objectId, from, to, frozen).some((a) => c.periodEnd >= a.from && c.periodStart <= a.to);
  };
  const found = [
    ...outlierCandidates(view), ...touMismatchCandidates(view), ...reverseEnergyCandidates(view),
    ...frozenReadingCandidates(view).filter(continues), ...demandJumpCandidates(view),
  ];
  const byPoint = new Map<string, AlarmCandidate[]>(points.map((p) => [p.config.id, []]));
  for (const c of found) byPoint.get(c.objectId)?.push(c);
  for (const f of days) {
    const list = byPoint.get(f.pointId);
    if (!list) continue;
    // A day whose drop an interval of the same register already shows is one fault: the
    // interval's alarm says where.
    const shown = list.filter((c) => c.register !== undefined);
    list.push(...decreaseCandidates(f.events).filter((c) => c.periodStart >= from && c.periodEnd <= to
      && !shown.some((s) => s.register === c.register && s.periodStart >= c.periodStart && s.periodEnd <= c.periodEnd)));
  }
  return points.flatMap((p) => {
    const { ts } = p.series;
    const objects = [{ kind: 'point' as const, id: p.config.id }];
    const groups: CheckGroup[] = [{ scope: { rules: INTERVAL_RULES, objects, from, to }, candidates: byPoint.get(p.config.id)! }];
    // Missing data is judged from the rows that exist, not from the kernel's "all 20 registers
    // present", so meters that keep fewer registers are not flagged. Missing means a gap between
    // readings: before the first one nothing was collected yet, after the newest one the next
    // has not arrived yet — nor has the recomputation changed anything there, so a gap going on
    // beyond the newest reading is its open alarm's to report (runs.ts).
    const lo = Math.max(from, ts[0] ?? to), hi = Math.min(to, ts.at(-1) ?? from);
    if (lo < hi) groups.push({ scope: { rules: GAP_RULES, objects, from: lo, to: hi }, candidates: missingReadingCandidates(p.config.id, p.series, lo, hi, view.stepMs, p.config.missingData) });
    return groups;
  });
}

/**
 * Energy-limit groups: each point's days against its day limits, one scope per point over its
 * days that takes in only day-long alarms; each month against its month limits, a scope of its
 * own period.
 */
export function energyLimitGroups(days: readonly PeriodFigure[], months: readonly PeriodFigure[], limits: EnergyLimits): CheckGroup[] {
  const byPoint = new Map<string, { from: number; to: number; candidates: AlarmCandidate[] }>();
  for (const f of days) {
    const g = byPoint.get(f.pointId) ?? { from: f.from, to: f.to, candidates: [] };
    g.from = Math.min(g.from, f.from);
    g.to = Math.max(g.to, f.to);
    g.candidates.push(...energyLimitCandidates(f, limits.get(f.pointId)?.day ?? []));
    byPoint.set(f.pointId, g);
  }
  const point = (id: string) => [{ kind: 'point' as const, id }];
  return [
    ...[...byPoint].map(([id, g]) => ({ scope: { rules: DAY_RULES, objects: point(id), from: g.from, to: g.to, longest: LONGEST_DAY }, candidates: g.candidates })),
    ...months.map((f) => ({ scope: { rules: DAY_RULES, objects: point(f.pointId), from: f.from, to: f.to, exact: true }, candidates: energyLimitCandidates(f, limits.get(f.pointId)?.month ?? []) })),
  ];
}

/**
 * The meter epoch holding the whole of `day`, whose multiplier its interval sum is judged under;
 * none when a meter or CT/PT change falls inside (the day's register delta spans two meters).
 */
export function dayEpoch(p: PointData, day: { from: number; to: number }): MeterEpoch | undefined {
  return p.epochs.find((e) => e.from <= day.from && e.to >= day.to);
}

/** The interval-sum group of a day whose every interval was recomputed (`parts`), under multiplier `m`. */
export function intervalSumGroup(day: PeriodFigure, parts: readonly EnergyFigure[], m: Rational): CheckGroup {
  return { scope: { rules: DAY_SUM_RULES, objects: [{ kind: 'point', id: day.pointId }], from: day.from, to: day.to }, candidates: intervalSumCandidates(day, parts, m) };
}

/**
 * Object rules (bus imbalance, transformer and line loss) on the objects' recomputed days and
 * months, a scope for each figure's own period: recomputing a month must not clear the alarms of
 * days it holds that were not recomputed.
 */
export function objectGroups(objects: readonly (StatObject & { limits: Record<string, number> })[], figures: readonly { figure: ObjectFigure }[]): CheckGroup[] {
  const byId = new Map(objects.map((o) => [o.id, o]));
  return figures.map(({ figure }) => {
    const o = byId.get(figure.objectId)!;
    const candidates: AlarmCandidate[] = [];
    if (o.kind === 'bus') candidates.push(...busImbalanceCandidates(o, figure, objectLimits(o, defaultBusLimits(o.voltageKv))));
    else if (o.kind === 'transformer') candidates.push(...transformerLossCandidates(figure, objectLimits(o, DEFAULT_TRANSFORMER_LIMITS)));
    else if (o.kind === 'line') candidates.push(...lineLossCandidates(figure, objectLimits(o, DEFAULT_LINE_LIMITS)));
    return { scope: { rules: OBJECT_RULES, objects: [{ kind: o.kind as AlarmObjectKind, id: o.id }], from: figure.from, to: figure.to, exact: true }, candidates };
  });
}

/**
 * Alarm candidates of one recomputation, in scopes that match what was recomputed: interval
 * rules over each dirty range, energy limits over the recomputed days, object rules over the
 * objects' recomputed days and months.
 */
export function checkRecomputation(
  ctx: EnergyContext,
  ranges: readonly DirtyRange[],
  stats: RecomputeStats,
  objects: readonly (StatObject & { limits: Record<string, number> })[],
  limits: EnergyLimits,
  frozen: FrozenRuns = new Map(),
): CheckGroup[] {
  const groups: CheckGroup[] = [];
  // A bypass point stands still whenever it carries nothing: that is not a frozen meter.
  const bypassPoints = new Set(ctx.bypasses.map((b) => b.bypassId));
  for (const r of ranges) {
    const p = ctx.points.get(r.pointId);
    if (!p) continue;
    const dt = intervalMs(p.config);
    const { from, to } = dirtyWindow(r, dt);
    const pc = pointChunk([p], from, Math.round((to - from) / dt), (q) => !bypassPoints.has(q.config.id) && knownLoaded(q, from, to, frozen));
    const view = { chunk: pc.chunk, result: runKernel(pc.chunk), rowPoints: pc.rowPoints, firstTs: from, stepMs: dt, rowEnergy: pc.rowEnergy };
    const own = intervalGroups(view, [p], from, to, stats.figures.days, frozen);
    // A feeder's own meter stands still while a bypass carries it (its CT is out of circuit).
    const carried = ctx.bypasses.filter((b) => b.feederId === p.config.id);
    for (const g of carried.length > 0 ? own : []) {
      g.candidates = g.candidates.filter((c) => c.rule !== 'frozen-reading' || !carried.some((b) => c.periodStart >= b.from && c.periodEnd <= b.to));
    }
    groups.push(...own);
  }
  groups.push(...energyLimitGroups(stats.figures.days, stats.figures.months, limits));
  // Σ intervals against the day's boundary delta, for days whose every interval was recomputed.
  // Intervals by point once, not a scan of all of them per day.
  const intervalsOf = new Map<string, EnergyFigure[]>();
  for (const x of stats.figures.intervals) {
    const list = intervalsOf.get(x.pointId);
    if (list) list.push(x);
    else intervalsOf.set(x.pointId, [x]);
  }
  for (const f of stats.figures.days) {
    const p = ctx.points.get(f.pointId)!;
    const dt = intervalMs(p.config);
    const parts = (intervalsOf.get(f.pointId) ?? []).filter((x) => x.from >= f.from && x.to <= f.to);
    if (parts.length !== Math.round((f.to - f.from) / dt)) continue;
    const epoch = dayEpoch(p, f);
    if (epoch) groups.push(intervalSumGroup(f, parts, epoch.multiplier as Rational));
  }
  groups.push(...objectGroups(objects, stats.figures.objects));
  return groups;
}
