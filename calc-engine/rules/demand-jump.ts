/**
 * Demand jump: active demand (energy per interval) changes between consecutive intervals by more
 * than a percentage of the earlier one. Limits: `IntervalLimits.demandJumpPercent` and
 * `demandMinSteps` (defaults 200 % from at least 100 steps).
 */
import type { AlarmCandidate } from '../alarms.ts';
import { DEMAND_JUMP } from '../kernel-flags.ts';
import { NEIGHBOURS_BEFORE } from '../kernel-carry.ts';
import { DEFAULT_INTERVAL_LIMITS, rowLimits, type IntervalLimits } from './interval-limits.ts';
import { flagRuns, intervalDelta, runPeriod, type KernelView } from './kernel-view.ts';

/** Demand-jump candidates from the kernel; observed = the larger change in percent. */
export function demandJumpCandidates(view: KernelView, limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): AlarmCandidate[] {
  return flagRuns(view, DEMAND_JUMP, false).map((run) => {
    let pct = 0;
    for (const [r, k] of [[0, 0], [5, 1]] as const) {
      // Before the chunk's first interval, the neighbour carried in (kernel-carry.ts).
      const prev = run.j0 > 0 ? intervalDelta(view, run.row, run.j0 - 1, r) : (view.chunk.neighboursBefore?.[run.row * NEIGHBOURS_BEFORE + k] ?? 0);
      if (prev > 0) pct = Math.max(pct, (Math.abs(intervalDelta(view, run.row, run.j0, r) - prev) * 100) / prev);
    }
    return { rule: 'demand-jump', objectKind: 'point', objectId: view.rowPoints[run.row]!, ...runPeriod(view, run), observed: pct, limit: rowLimits(view.chunk, run.row, limits).demandJumpPercent, severity: 'info', detail: 'change from previous interval (%)' };
  });
}
