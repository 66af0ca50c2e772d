/**
 * The plausibility checks of a recomputation: interval rules from the columnar kernel over the
 * dirty ranges, figure rules on the recomputed days and months, object rules on the objects'
 * days and months. Returns the candidates and the scope they were looked for in, so alarms in
 * that scope that no candidate confirms are cleared.
 */
import type { AlarmCandidate, AlarmScope, RuleName, AlarmObjectKind } from '../alarms.ts';
import type { EnergyContext } from '../period.ts';
import type { PointData } from '../point.ts';
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
import { energyLimitCandidates, type EnergyLimit } from '../rules/energy-limit.ts';
import { busImbalanceCandidates, defaultBusLimits } from '../rules/bus-imbalance.ts';
import { transformerLossCandidates, DEFAULT_TRANSFORMER_LIMITS } from '../rules/transformer-loss.ts';
import { lineLossCandidates, DEFAULT_LINE_LIMITS } from '../rules/line-loss.ts';
import type { LossRateLimits } from '../rules/loss-rate.ts';
import type { RecomputeStats } from './recompute.ts';
import type { DirtyRange } from '../tasks/index.ts';
import type { StatObject } from '../objects.ts';

/** Rules judged on intervals of the dirty ranges. */
const INTERVAL_RULES: readonly RuleName[] = ['outlier', 'tou-mismatch', 'reverse-energy', 'frozen-reading', 'demand-jump', 'missing-data'];
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

/** Candidates found in one scope: alarms in the scope that no candidate confirms clear. */
export interface CheckGroup {
  scope: AlarmScope;
  candidates: AlarmCandidate[];
}

/** Energy limits of a point's days (kWh), from the archive. */
export type DailyLimits = ReadonlyMap<string, readonly EnergyLimit[]>;

function objectLimits(o: StatObject & { limits: Record<string, number> }, fallback: LossRateLimits): LossRateLimits {
  return {
    lowerPercent: o.limits.lowerPercent ?? fallback.lowerPercent,
    upperPercent: o.limits.upperPercent ?? fallback.upperPercent,
  };
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
  dailyLimits: DailyLimits,
): CheckGroup[] {
  const groups: CheckGroup[] = [];
  for (const r of ranges) {
    const p = ctx.points.get(r.pointId);
    if (!p) continue;
    const dt = intervalMs(p.config);
    const from = Math.floor(r.from.getTime() / dt) * dt - dt;
    const to = Math.ceil(r.to.getTime() / dt) * dt + dt;
    const pc = pointChunk([p], from, Math.round((to - from) / dt), carriesLoad);
    const view = { chunk: pc.chunk, result: runKernel(pc.chunk), rowPoints: pc.rowPoints, firstTs: from, stepMs: dt };
    // Missing data is judged from the rows that exist, not from the kernel's "all 20 registers
    // present", so meters that keep fewer registers are not flagged.
    const candidates = [
      ...outlierCandidates(view), ...touMismatchCandidates(view), ...reverseEnergyCandidates(view),
      // Missing means a gap between readings: before the first one nothing was collected yet,
      // after the newest one the next has not arrived yet.
      ...frozenReadingCandidates(view), ...demandJumpCandidates(view),
      ...missingReadingCandidates(p.config.id, p.series, Math.max(from, p.series.ts[0] ?? to), Math.min(to, p.series.ts.at(-1) ?? from), dt),
    ];
    for (const f of stats.figures.days) {
      if (f.pointId === p.config.id) candidates.push(...decreaseCandidates(f.events).filter((c) => c.periodStart >= from && c.periodEnd <= to));
    }
    groups.push({ scope: { rules: INTERVAL_RULES, objects: [{ kind: 'point', id: p.config.id }], from, to }, candidates });
  }
  const byPoint = new Map<string, { from: number; to: number; candidates: AlarmCandidate[] }>();
  for (const f of stats.figures.days) {
    const g = byPoint.get(f.pointId) ?? { from: f.from, to: f.to, candidates: [] };
    g.from = Math.min(g.from, f.from);
    g.to = Math.max(g.to, f.to);
    g.candidates.push(...energyLimitCandidates(f, dailyLimits.get(f.pointId) ?? []));
    byPoint.set(f.pointId, g);
  }
  for (const [id, g] of byPoint) groups.push({ scope: { rules: DAY_RULES, objects: [{ kind: 'point', id }], from: g.from, to: g.to }, candidates: g.candidates });
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
    const epoch = p.epochs.find((e) => e.from <= f.from && e.to >= f.to);
    if (!epoch) continue;
    groups.push({ scope: { rules: DAY_SUM_RULES, objects: [{ kind: 'point', id: f.pointId }], from: f.from, to: f.to }, candidates: intervalSumCandidates(f, parts, epoch.multiplier as Rational) });
  }
  const figures = stats.figures.objects;
  if (figures.length > 0) {
    const candidates: AlarmCandidate[] = [];
    for (const { figure } of figures) {
      const o = objects.find((x) => x.id === figure.objectId)!;
      if (o.kind === 'bus') candidates.push(...busImbalanceCandidates(o, figure, objectLimits(o, defaultBusLimits(o.voltageKv))));
      else if (o.kind === 'transformer') candidates.push(...transformerLossCandidates(figure, objectLimits(o, DEFAULT_TRANSFORMER_LIMITS)));
      else if (o.kind === 'line') candidates.push(...lineLossCandidates(figure, objectLimits(o, DEFAULT_LINE_LIMITS)));
    }
    groups.push({
      scope: {
        rules: OBJECT_RULES,
        objects: objects.map((o) => ({ kind: o.kind as AlarmObjectKind, id: o.id })),
        from: figures.reduce((m, f) => Math.min(m, f.figure.from), Infinity),
        to: figures.reduce((m, f) => Math.max(m, f.figure.to), -Infinity),
      },
      candidates,
    });
  }
  return groups;
}
