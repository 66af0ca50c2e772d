/**
 * Missing data (gap check): intervals whose energy cannot be computed because a snapshot is
 * absent. Consecutive missing intervals make one alarm. Limit: intervals allowed missing per
 * run (default 0).
 */
import type { AlarmCandidate } from '../alarms.ts';
import { MISSING_CRITICAL_INTERVALS, RUN_DETAIL } from '../runs.ts';
import { MISSING } from '../kernel-flags.ts';
import { lowerBound, type ReadingSeries } from '../readings.ts';
import { flagRuns, runPeriod, type KernelView } from './kernel-view.ts';

/** Missing-data limits. */
export interface MissingDataLimits {
  /** A run of at most this many missing intervals is tolerated. Default 0. */
  readonly allowedIntervals: number;
}

/** Default: every missing interval counts. */
export const DEFAULT_MISSING_DATA_LIMITS: MissingDataLimits = { allowedIntervals: 0 };

function candidate(pointId: string, periodStart: number, periodEnd: number, n: number, limits: MissingDataLimits): AlarmCandidate {
  return { rule: 'missing-data', objectKind: 'point', objectId: pointId, periodStart, periodEnd, observed: n, limit: limits.allowedIntervals, severity: n > MISSING_CRITICAL_INTERVALS ? 'critical' : 'warning', detail: RUN_DETAIL.missing };
}

/** Missing-data candidates from the kernel's MISSING flags, the allowance judged on the part of a gap the chunk holds. */
export function missingDataCandidates(view: KernelView, limits: MissingDataLimits = DEFAULT_MISSING_DATA_LIMITS): AlarmCandidate[] {
  return flagRuns(view, MISSING, true)
    .filter((r) => r.j1 - r.j0 > limits.allowedIntervals)
    .map((r) => {
      const p = runPeriod(view, r);
      return candidate(view.rowPoints[r.row]!, p.periodStart, p.periodEnd, r.j1 - r.j0, limits);
    });
}

/**
 * Missing-data candidates from a reading series: grid instants in [from, to] (aligned on the
 * epoch to `stepMs`) with no snapshot; a missing snapshot at t empties the intervals ending at t
 * and at t + Δ, so a run of k missing snapshots is k + 1 missing intervals. A gap is tolerated
 * when it is no longer than the allowance from the reading before it to the reading after it,
 * however [from, to] cuts it; a side the series holds no reading on counts as beyond the
 * allowance.
 */
export function missingReadingCandidates(pointId: string, series: ReadingSeries, from: number, to: number, stepMs: number, limits: MissingDataLimits = DEFAULT_MISSING_DATA_LIMITS): AlarmCandidate[] {
  const out: AlarmCandidate[] = [];
  let runStart = -1;
  const first = Math.ceil(from / stepMs) * stepMs;
  for (let t = first; t <= to + stepMs; t += stepMs) {
    const i = lowerBound(series.ts, t);
    const has = t > to || (i < series.ts.length && series.ts[i] === t);
    if (!has && runStart < 0) runStart = t;
    if (has && runStart >= 0) {
      const a = Math.max(from, runStart - stepMs);
      const b = Math.min(to, t);
      const n = Math.round((b - a) / stepMs);
      // The allowance is for the whole gap, reading to reading, though the scope sees a part; a
      // series loaded in windows may lack the readings far beyond it, which the verdict does not
      // need: looked at no further than one interval past the allowance.
      const i0 = lowerBound(series.ts, runStart), beyond = (limits.allowedIntervals + 1) * stepMs;
      const gapFrom = Math.max(series.ts[i0 - 1] ?? -Infinity, a - beyond), gapTo = Math.min(series.ts[i0] ?? Infinity, b + beyond);
      if (Math.round((gapTo - gapFrom) / stepMs) > limits.allowedIntervals) out.push(candidate(pointId, a, b, n, limits));
      runStart = -1;
    }
  }
  return out;
}
